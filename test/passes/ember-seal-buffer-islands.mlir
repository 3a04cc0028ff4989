// torch-mlir's own passes lower its tm_tensor ops to loops over buffers (as ember's capture
// does); ember-seal-buffer-islands then moves each result's to_tensor behind the loops.
// RUN: torch-mlir-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(tm-tensor-bufferize,tm-tensor-to-loops))' \
// RUN:   | ember-opt --split-input-file --pass-pipeline='builtin.module(ember-seal-buffer-islands)' | FileCheck %s

// cumsum: a scan.
// CHECK-LABEL: func.func @cumsum
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-DAG: %[[IN:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK-DAG: %[[OUT:.*]] = memref.alloc() : memref<2x3xf32>
// CHECK-NOT: bufferization.to_tensor
// CHECK: scf.for
// CHECK: memref.load %[[IN]]
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<2x3xf32> to tensor<2x3xf32>
// CHECK-NEXT: return %[[R]]
func.func @cumsum(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %out = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %ea = tensor.empty() : tensor<2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%ea : tensor<2xf32>) -> tensor<2xf32>
  %r:2 = tm_tensor.scan dimension(1) inclusive(true) ins(%x : tensor<2x3xf32>) outs(%out, %acc : tensor<2x3xf32>, tensor<2xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    tm_tensor.yield %s : f32
  } -> tensor<2x3xf32>, tensor<2xf32>
  return %r#0 : tensor<2x3xf32>
}

// -----

// sort with indices (what topk and argsort become): two outputs, each copied from its init,
// each sealed after the bubble-sort loops that swap them.
// CHECK-LABEL: func.func @sort
// CHECK: %[[V:.*]] = memref.alloc() : memref<2x3xf32>
// CHECK: memref.copy %{{.*}}, %[[V]]
// CHECK: %[[I:.*]] = memref.alloc() : memref<2x3xi64>
// CHECK: memref.copy %{{.*}}, %[[I]]
// CHECK: scf.for
// CHECK: arith.cmpf oge
// CHECK: memref.store %{{.*}}, %[[I]]
// CHECK-DAG: bufferization.to_tensor %[[V]] restrict writable
// CHECK-DAG: bufferization.to_tensor %[[I]] restrict writable
// CHECK: tensor.extract_slice
func.func @sort(%x: tensor<2x3xf32>, %idx: tensor<2x3xi64>) -> tensor<2x2xf32> {
  %r:2 = tm_tensor.sort dimension(1) outs(%x, %idx : tensor<2x3xf32>, tensor<2x3xi64>) {
  ^bb0(%a: f32, %b: f32, %i: i64, %j: i64):
    %c = arith.cmpf oge, %a, %b : f32
    tm_tensor.yield %c : i1
  } -> tensor<2x3xf32>, tensor<2x3xi64>
  %s = tensor.extract_slice %r#0[0, 0] [2, 2] [1, 1] : tensor<2x3xf32> to tensor<2x2xf32>
  %t = tensor.extract_slice %r#1[0, 0] [2, 2] [1, 1] : tensor<2x3xi64> to tensor<2x2xi64>
  %f = arith.sitofp %t : tensor<2x2xi64> to tensor<2x2xf32>
  %sum = arith.addf %s, %f : tensor<2x2xf32>
  return %sum : tensor<2x2xf32>
}

// -----

// scatter_add (scatter, index_put with accumulate): the original is copied, updates read.
// CHECK-LABEL: func.func @scatter_add
// CHECK-SAME: (%[[ORIG:.*]]: tensor<2x3xf32>, %[[UPD:.*]]: tensor<4xf32>, %[[IDX:.*]]: tensor<4x2xi64>)
// CHECK-DAG: bufferization.to_buffer %[[UPD]] read_only
// CHECK-DAG: bufferization.to_buffer %[[IDX]] read_only
// CHECK-DAG: bufferization.to_buffer %[[ORIG]] read_only
// CHECK-DAG: %[[OUT:.*]] = memref.alloc() : memref<2x3xf32>
// CHECK: scf.for
// CHECK: arith.addf
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NEXT: return %[[R]]
func.func @scatter_add(%orig: tensor<2x3xf32>, %upd: tensor<4xf32>, %idx: tensor<4x2xi64>) -> tensor<2x3xf32> {
  %r = tm_tensor.scatter {dimension_map = array<i64: 0, 1>} unique_indices(false) ins(%upd, %idx : tensor<4xf32>, tensor<4x2xi64>) outs(%orig : tensor<2x3xf32>) {
  ^bb0(%u: f32, %o: f32):
    %s = arith.addf %o, %u : f32
    tm_tensor.yield %s : f32
  } -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}
