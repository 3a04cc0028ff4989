// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-parallelize-tiles{min-work=1})' | FileCheck %s
// @row_tiles computes 8 x 4 = 32 element-iterations: parallel at min-work 32, sequential at 33.
// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-parallelize-tiles{min-work=32})' | FileCheck %s --check-prefix=AT
// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-parallelize-tiles{min-work=33})' | FileCheck %s --check-prefix=UNDER

// Row tiles of an elementwise op: each iteration reads and writes its own 2-row slice.
// AT-LABEL: func.func @row_tiles
// AT: scf.forall
// UNDER-LABEL: func.func @row_tiles
// UNDER-NOT: scf.forall
// UNDER: scf.for
// UNDER-LABEL: func.func @nest
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

// A nest of tile loops (rows, then columns): the outer loop becomes the forall, each iteration
// takes its own rows, and the inner loop carries those rows, its slices shifted to row 0.
// CHECK-LABEL: func.func @nest
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[INIT:.*]]: tensor<4x8xf32>)
// CHECK: scf.forall (%[[I:.*]]) = (0) to (4) step (2) shared_outs(%[[OUT:.*]] = %[[INIT]])
// CHECK:   %[[ZERO:.*]] = arith.constant 0 : index
// CHECK:   %[[OWN:.*]] = tensor.extract_slice %[[OUT]][%[[I]], 0] [2, 8] [1, 1] : tensor<4x8xf32> to tensor<2x8xf32>
// CHECK:   %[[ROWS:.*]] = tensor.extract_slice %[[X]][%[[I]], 0] [2, 8]
// CHECK:   %[[DONE:.*]] = scf.for %[[J:.*]] = {{.*}} iter_args(%[[ACC:.*]] = %[[OWN]]) -> (tensor<2x8xf32>)
// CHECK:     tensor.extract_slice %[[ACC]][%[[ZERO]], %[[J]]] [2, 2] [1, 1] : tensor<2x8xf32> to tensor<2x2xf32>
// CHECK:     %[[UPD:.*]] = tensor.insert_slice %{{.*}} into %[[ACC]][%[[ZERO]], %[[J]]] [2, 2] [1, 1] : tensor<2x2xf32> into tensor<2x8xf32>
// CHECK:     scf.yield %[[UPD]]
// CHECK:   scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %[[DONE]] into %[[OUT]][%[[I]], 0] [2, 8] [1, 1] : tensor<2x8xf32> into tensor<4x8xf32>
func.func @nest(%x: tensor<4x8xf32>, %init: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %r = scf.for %i = %c0 to %c4 step %c2 iter_args(%acc = %init) -> (tensor<4x8xf32>) {
    %rows = tensor.extract_slice %x[%i, 0] [2, 8] [1, 1] : tensor<4x8xf32> to tensor<2x8xf32>
    %inner = scf.for %j = %c0 to %c8 step %c2 iter_args(%acc2 = %acc) -> (tensor<4x8xf32>) {
      %in = tensor.extract_slice %rows[0, %j] [2, 2] [1, 1] : tensor<2x8xf32> to tensor<2x2xf32>
      %old = tensor.extract_slice %acc2[%i, %j] [2, 2] [1, 1] : tensor<4x8xf32> to tensor<2x2xf32>
      %new = linalg.add ins(%in, %old : tensor<2x2xf32>, tensor<2x2xf32>) outs(%old : tensor<2x2xf32>) -> tensor<2x2xf32>
      %ins = tensor.insert_slice %new into %acc2[%i, %j] [2, 2] [1, 1] : tensor<2x2xf32> into tensor<4x8xf32>
      scf.yield %ins : tensor<4x8xf32>
    }
    scf.yield %inner : tensor<4x8xf32>
  }
  return %r : tensor<4x8xf32>
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

// Row tiles over a dynamic number of rows: disjoint, and their least work (one row) is enough
// here (min-work=1): a forall up to the dynamic bound.
// CHECK-LABEL: func.func @dynamic_rows
// CHECK: %[[ROWS:.*]] = tensor.dim
// CHECK: scf.forall (%{{.*}}) in (%[[ROWS]])
func.func @dynamic_rows(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = tensor.dim %x, %c0 : tensor<?x8xf32>
  %r = scf.for %i = %c0 to %rows step %c1 iter_args(%acc = %x) -> (tensor<?x8xf32>) {
    %in = tensor.extract_slice %x[%i, 0] [1, 8] [1, 1] : tensor<?x8xf32> to tensor<1x8xf32>
    %neg = linalg.negf ins(%in : tensor<1x8xf32>) outs(%in : tensor<1x8xf32>) -> tensor<1x8xf32>
    %ins = tensor.insert_slice %neg into %acc[%i, 0] [1, 8] [1, 1] : tensor<1x8xf32> into tensor<?x8xf32>
    scf.yield %ins : tensor<?x8xf32>
  }
  return %r : tensor<?x8xf32>
}

// A nest over a tensor with a dynamic dim beside the parallel one: each iteration's slab spans
// that dim whole, by the tensor's own size.
// CHECK-LABEL: func.func @dynamic_columns_nest
// CHECK: scf.forall (%[[I:.*]]) in (4) shared_outs(%[[ALL:.*]] = %{{.*}})
// CHECK: %[[COLS:.*]] = tensor.dim %[[ALL]], %c1
// CHECK: tensor.extract_slice %[[ALL]][%[[I]], 0] [1, %[[COLS]]] [1, 1] : tensor<4x?xf32> to tensor<1x?xf32>
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[ALL]][%[[I]], 0] [1, %[[COLS]]] [1, 1] : tensor<1x?xf32> into tensor<4x?xf32>
func.func @dynamic_columns_nest(%x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %cols = tensor.dim %x, %c1 : tensor<4x?xf32>
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %x) -> (tensor<4x?xf32>) {
    %inner = scf.for %j = %c0 to %cols step %c1 iter_args(%acc2 = %acc) -> (tensor<4x?xf32>) {
      %in = tensor.extract_slice %x[%i, %j] [1, 1] [1, 1] : tensor<4x?xf32> to tensor<1x1xf32>
      %neg = linalg.negf ins(%in : tensor<1x1xf32>) outs(%in : tensor<1x1xf32>) -> tensor<1x1xf32>
      %ins = tensor.insert_slice %neg into %acc2[%i, %j] [1, 1] [1, 1] : tensor<1x1xf32> into tensor<4x?xf32>
      scf.yield %ins : tensor<4x?xf32>
    }
    scf.yield %inner : tensor<4x?xf32>
  }
  return %r : tensor<4x?xf32>
}
