// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-bool-to-byte)' | FileCheck %s

// A comparison into a bool tensor, consumed by a select: the tensor holds bytes, the body
// truncates the byte it reads and extends the bool it yields; the signature follows.
// CHECK-LABEL: func.func @compare_select
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[M:.*]]: tensor<4xi8>) -> (tensor<4xf32>, tensor<4xi8>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4xi8>
// CHECK: %[[CMP:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[M]] : tensor<4xf32>, tensor<4xi8>) outs(%[[E]] : tensor<4xi8>)
// CHECK-NEXT: ^bb0(%{{.*}}: f32, %[[MB:.*]]: i8, %{{.*}}: i8):
// CHECK-NEXT: %[[MT:.*]] = arith.trunci %[[MB]] : i8 to i1
// CHECK-NEXT: %[[GT:.*]] = arith.cmpf ogt
// CHECK-NEXT: %[[AND:.*]] = arith.andi %[[GT]], %[[MT]] : i1
// CHECK-NEXT: %[[BYTE:.*]] = arith.extui %[[AND]] : i1 to i8
// CHECK-NEXT: linalg.yield %[[BYTE]] : i8
// CHECK-NEXT: } -> tensor<4xi8>
// CHECK: linalg.generic {{.*}} ins(%[[CMP]], %[[X]] : tensor<4xi8>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: i8,
// CHECK-NEXT: %[[C:.*]] = arith.trunci %[[IN]] : i8 to i1
// CHECK-NEXT: arith.select %[[C]]
// CHECK: return {{.*}} : tensor<4xf32>, tensor<4xi8>
// CHECK-NOT: xi1>
#map = affine_map<(d0) -> (d0)>
func.func @compare_select(%x: tensor<4xf32>, %m: tensor<4xi1>) -> (tensor<4xf32>, tensor<4xi1>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xi1>
  %cmp = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel"]}
      ins(%x, %m : tensor<4xf32>, tensor<4xi1>) outs(%e : tensor<4xi1>) {
  ^bb0(%in: f32, %mask: i1, %out: i1):
    %gt = arith.cmpf ogt, %in, %zero : f32
    %and = arith.andi %gt, %mask : i1
    linalg.yield %and : i1
  } -> tensor<4xi1>
  %ef = tensor.empty() : tensor<4xf32>
  %sel = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel"]}
      ins(%cmp, %x : tensor<4xi1>, tensor<4xf32>) outs(%ef : tensor<4xf32>) {
  ^bb0(%c: i1, %in: f32, %out: f32):
    %s = arith.select %c, %in, %zero : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %sel, %cmp : tensor<4xf32>, tensor<4xi1>
}

// -----

// An any() reduction reads its bool accumulator: the `out` argument is truncated too.
// CHECK-LABEL: func.func @any_reduction
// CHECK-SAME: -> tensor<i8>
// CHECK: %[[INIT:.*]] = arith.constant dense<0> : tensor<i8>
// CHECK: linalg.generic {{.*}} outs(%[[INIT]] : tensor<i8>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: i8, %[[ACC:.*]]: i8):
// CHECK-DAG: %[[A:.*]] = arith.trunci %[[ACC]] : i8 to i1
// CHECK-DAG: %[[B:.*]] = arith.trunci %[[IN]] : i8 to i1
// CHECK: %[[OR:.*]] = arith.ori %[[B]], %[[A]] : i1
// CHECK: arith.extui %[[OR]] : i1 to i8
#map = affine_map<(d0) -> (d0)>
#red = affine_map<(d0) -> ()>
func.func @any_reduction(%m: tensor<8xi1>) -> tensor<i1> {
  %init = arith.constant dense<false> : tensor<i1>
  %r = linalg.generic {indexing_maps = [#map, #red], iterator_types = ["reduction"]}
      ins(%m : tensor<8xi1>) outs(%init : tensor<i1>) {
  ^bb0(%in: i1, %acc: i1):
    %or = arith.ori %in, %acc : i1
    linalg.yield %or : i1
  } -> tensor<i1>
  return %r : tensor<i1>
}

// -----

// Dense bool constants become byte constants; extracted elements are truncated, inserted
// ones extended; slices and reshapes carry bytes as they are.
// CHECK-LABEL: func.func @constants_and_elements
// CHECK: %[[C:.*]] = arith.constant dense<[1, 0, 1, 1]> : tensor<4xi8>
// CHECK: %[[X:.*]] = tensor.extract %[[C]][%{{.*}}] : tensor<4xi8>
// CHECK-NEXT: %[[B:.*]] = arith.trunci %[[X]] : i8 to i1
// CHECK-NEXT: %[[N:.*]] = arith.xori %[[B]], %{{.*}} : i1
// CHECK-NEXT: %[[Y:.*]] = arith.extui %[[N]] : i1 to i8
// CHECK-NEXT: %[[I:.*]] = tensor.insert %[[Y]] into %[[C]][%{{.*}}] : tensor<4xi8>
// CHECK-NEXT: %[[S:.*]] = tensor.extract_slice %[[I]][0] [2] [1] : tensor<4xi8> to tensor<2xi8>
// CHECK-NEXT: tensor.expand_shape %[[S]] {{.*}} : tensor<2xi8> into tensor<1x2xi8>
func.func @constants_and_elements(%i: index) -> tensor<1x2xi1> {
  %true = arith.constant true
  %c = arith.constant dense<[true, false, true, true]> : tensor<4xi1>
  %x = tensor.extract %c[%i] : tensor<4xi1>
  %n = arith.xori %x, %true : i1
  %ins = tensor.insert %n into %c[%i] : tensor<4xi1>
  %s = tensor.extract_slice %ins[0] [2] [1] : tensor<4xi1> to tensor<2xi1>
  %r = tensor.expand_shape %s [[0, 1]] output_shape [1, 2] : tensor<2xi1> into tensor<1x2xi1>
  return %r : tensor<1x2xi1>
}

// -----

// The buffer islands of lowered tm_tensor ops (a sort of bools) load and store bytes.
// CHECK-LABEL: func.func @bool_buffer
// CHECK: %[[A:.*]] = memref.alloc() : memref<4xi8>
// CHECK: %[[L:.*]] = memref.load %[[A]][%{{.*}}] : memref<4xi8>
// CHECK-NEXT: %[[B:.*]] = arith.trunci %[[L]] : i8 to i1
// CHECK-NEXT: %[[N:.*]] = arith.xori %[[B]]
// CHECK-NEXT: %[[E:.*]] = arith.extui %[[N]] : i1 to i8
// CHECK-NEXT: memref.store %[[E]], %[[A]][%{{.*}}] : memref<4xi8>
// CHECK: bufferization.to_tensor %[[A]] restrict writable : memref<4xi8> to tensor<4xi8>
func.func @bool_buffer(%t: tensor<4xi1>, %i: index) -> tensor<4xi1> {
  %true = arith.constant true
  %in = bufferization.to_buffer %t read_only : tensor<4xi1> to memref<4xi1>
  %a = memref.alloc() : memref<4xi1>
  memref.copy %in, %a : memref<4xi1> to memref<4xi1>
  %l = memref.load %a[%i] : memref<4xi1>
  %n = arith.xori %l, %true : i1
  memref.store %n, %a[%i] : memref<4xi1>
  %r = bufferization.to_tensor %a restrict writable : memref<4xi1> to tensor<4xi1>
  return %r : tensor<4xi1>
}

// -----

// Nothing boolean: the pass changes nothing.
// CHECK-LABEL: func.func @no_bools
// CHECK-NOT: arith.trunci
// CHECK-NOT: arith.extui
// CHECK: arith.cmpf
// CHECK: arith.select
func.func @no_bools(%x: f32, %y: f32) -> f32 {
  %c = arith.cmpf olt, %x, %y : f32
  %s = arith.select %c, %x, %y : f32
  return %s : f32
}

// -----

// After bufferization: the ownership flags of buffer-deallocation-pipeline's runtime helper
// (a branch whose result may alias buffers from above) are i1 buffers, passed to a private
// function; they become bytes, calls and signatures with them.
// CHECK-LABEL: func.func @owners
// CHECK:       %[[F:.*]] = memref.alloc() : memref<2xi8>
// CHECK:       %[[B:.*]] = arith.extui %{{.*}} : i1 to i8
// CHECK:       memref.store %[[B]], %[[F]][%{{.*}}] : memref<2xi8>
// CHECK:       %[[C:.*]] = memref.cast %[[F]] : memref<2xi8> to memref<?xi8>
// CHECK:       call @helper(%[[C]]) : (memref<?xi8>) -> ()
// CHECK:       %[[L:.*]] = memref.load %[[F]][%{{.*}}] : memref<2xi8>
// CHECK:       arith.trunci %[[L]] : i8 to i1
// CHECK-LABEL: func.func private @helper
// CHECK-SAME:    (%{{.*}}: memref<?xi8>)
func.func @owners(%own: i1) -> i1 {
  %c0 = arith.constant 0 : index
  %flags = memref.alloc() : memref<2xi1>
  memref.store %own, %flags[%c0] : memref<2xi1>
  %cast = memref.cast %flags : memref<2xi1> to memref<?xi1>
  call @helper(%cast) : (memref<?xi1>) -> ()
  %r = memref.load %flags[%c0] : memref<2xi1>
  memref.dealloc %flags : memref<2xi1>
  return %r : i1
}
func.func private @helper(%flags: memref<?xi1>) {
  %c1 = arith.constant 1 : index
  %true = arith.constant true
  memref.store %true, %flags[%c1] : memref<?xi1>
  return
}
