// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-check-indices)' | FileCheck %s

// An index read from tensor data (x[idx]) is checked against the indexed dimension, both ends.
// CHECK-LABEL: func.func @gather_rows
// CHECK: ^bb0(%[[IN:.*]]: i64,
// CHECK: %[[I:.*]] = arith.index_cast %[[IN]]
// CHECK: %[[D0:.*]] = tensor.dim %{{.*}}, %c0
// CHECK: %[[GE:.*]] = arith.cmpi sge, %[[I]], %{{.*}} : index
// CHECK: cf.assert %[[GE]], "index must be larger or equal to 0"
// CHECK: %[[LT:.*]] = arith.cmpi slt, %[[I]], %[[D0]] : index
// CHECK: cf.assert %[[LT]], "index must be smaller than dim size"
// CHECK-NOT: cf.assert
// CHECK: tensor.extract %{{.*}}[%[[I]], %[[J:.*]]]
#in = affine_map<(d0, d1) -> (d0)>
#out = affine_map<(d0, d1) -> (d0, d1)>
func.func @gather_rows(%x: tensor<5x3xf32>, %idx: tensor<2xi64>) -> tensor<2x3xf32> {
  %e = tensor.empty() : tensor<2x3xf32>
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel"]} ins(%idx : tensor<2xi64>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%in: i64, %out: f32):
    %i = arith.index_cast %in : i64 to index
    %j = linalg.index 1 : index
    %v = tensor.extract %x[%i, %j] : tensor<5x3xf32>
    linalg.yield %v : f32
  } -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// Indices from the loops alone (linalg.index, constants) are not checked.
// CHECK-LABEL: func.func @shifted
// CHECK-NOT: cf.assert
// CHECK: tensor.extract
#id = affine_map<(d0) -> (d0)>
func.func @shifted(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]} outs(%e : tensor<4xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %v = tensor.extract %x[%i] : tensor<4xf32>
    linalg.yield %v : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// A scatter's loop (a lowered tm_tensor.scatter): the row it stores to is loaded from the index
// buffer and is checked against the destination's rows; the loop counter and the column are not.
// CHECK-LABEL: func.func @scatter_rows
// CHECK: scf.for %[[K:.*]] =
// CHECK: %[[ROW:.*]] = arith.index_cast
// CHECK: %[[D0:.*]] = memref.dim %[[DEST:.*]], %{{.*}} : memref<3x2xf32>
// CHECK: cf.assert %{{.*}}, "index must be larger or equal to 0"
// CHECK: %[[LT:.*]] = arith.cmpi slt, %[[ROW]], %[[D0]] : index
// CHECK: cf.assert %[[LT]], "index must be smaller than dim size"
// CHECK: memref.load %[[DEST]][%[[ROW]], %c1]
// CHECK: cf.assert
// CHECK: cf.assert
// CHECK: memref.store %{{.*}}, %[[DEST]][%[[ROW]], %c1]
// CHECK-NOT: cf.assert
// CHECK: return
func.func @scatter_rows(%dest: memref<3x2xf32>, %idx: memref<4xi64>, %src: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %k = %c0 to %c4 step %c1 {
    %v = memref.load %src[%k] : memref<4xf32>
    %i = memref.load %idx[%k] : memref<4xi64>
    %row = arith.index_cast %i : i64 to index
    %old = memref.load %dest[%row, %c1] : memref<3x2xf32>
    %new = arith.addf %old, %v : f32
    memref.store %new, %dest[%row, %c1] : memref<3x2xf32>
  }
  return
}
