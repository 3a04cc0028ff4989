// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-parallelize-tiles)' | FileCheck %s

// Row tiles of an elementwise op: each iteration reads and writes its own 2-row slice.
// CHECK-LABEL: func.func @row_tiles
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>, %[[INIT:.*]]: tensor<8x4xf32>)
// CHECK: %[[R:.*]] = scf.forall (%[[I:.*]]) = (0) to (8) step (2) shared_outs(%[[OUT:.*]] = %[[INIT]]) -> (tensor<8x4xf32>) {
// CHECK:   %[[IN:.*]] = tensor.extract_slice %[[X]][%[[I]], 0] [2, 4] [1, 1]
// CHECK:   %[[OLD:.*]] = tensor.extract_slice %[[OUT]][%[[I]], 0] [2, 4] [1, 1]
// CHECK:   %[[NEW:.*]] = linalg.add ins(%[[IN]], %[[OLD]] : {{.*}})
// CHECK:   scf.forall.in_parallel {
// CHECK-NEXT: tensor.parallel_insert_slice %[[NEW]] into %[[OUT]][%[[I]], 0] [2, 4] [1, 1]
// CHECK-NOT: scf.for
// CHECK: return %[[R]]
func.func @row_tiles(%x: tensor<8x4xf32>, %init: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %r = scf.for %i = %c0 to %c8 step %c2 iter_args(%acc = %init) -> (tensor<8x4xf32>) {
    %in = tensor.extract_slice %x[%i, 0] [2, 4] [1, 1] : tensor<8x4xf32> to tensor<2x4xf32>
    %old = tensor.extract_slice %acc[%i, 0] [2, 4] [1, 1] : tensor<8x4xf32> to tensor<2x4xf32>
    %new = linalg.add ins(%in, %old : tensor<2x4xf32>, tensor<2x4xf32>) outs(%old : tensor<2x4xf32>) -> tensor<2x4xf32>
    %ins = tensor.insert_slice %new into %acc[%i, 0] [2, 4] [1, 1] : tensor<2x4xf32> into tensor<8x4xf32>
    scf.yield %ins : tensor<8x4xf32>
  }
  return %r : tensor<8x4xf32>
}

// A loop over a reduction rewrites the same slice every iteration: it stays sequential, and
// so does a loop whose slice (4 rows) is wider than its step (2): iterations would overlap.
// CHECK-LABEL: func.func @not_disjoint
// CHECK-NOT: scf.forall
// CHECK: scf.for
// CHECK: scf.for
func.func @not_disjoint(%x: tensor<8x4xf32>, %init: tensor<2x4xf32>, %big: tensor<8x4xf32>) -> (tensor<2x4xf32>, tensor<8x4xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %sum = scf.for %k = %c0 to %c8 step %c2 iter_args(%acc = %init) -> (tensor<2x4xf32>) {
    %in = tensor.extract_slice %x[%k, 0] [2, 4] [1, 1] : tensor<8x4xf32> to tensor<2x4xf32>
    %old = tensor.extract_slice %acc[0, 0] [2, 4] [1, 1] : tensor<2x4xf32> to tensor<2x4xf32>
    %new = linalg.add ins(%in, %old : tensor<2x4xf32>, tensor<2x4xf32>) outs(%old : tensor<2x4xf32>) -> tensor<2x4xf32>
    %ins = tensor.insert_slice %new into %acc[0, 0] [2, 4] [1, 1] : tensor<2x4xf32> into tensor<2x4xf32>
    scf.yield %ins : tensor<2x4xf32>
  }
  %overlap = scf.for %i = %c0 to %c4 step %c2 iter_args(%acc = %big) -> (tensor<8x4xf32>) {
    %in = tensor.extract_slice %x[%i, 0] [4, 4] [1, 1] : tensor<8x4xf32> to tensor<4x4xf32>
    %ins = tensor.insert_slice %in into %acc[%i, 0] [4, 4] [1, 1] : tensor<4x4xf32> into tensor<8x4xf32>
    scf.yield %ins : tensor<8x4xf32>
  }
  return %sum, %overlap : tensor<2x4xf32>, tensor<8x4xf32>
}
