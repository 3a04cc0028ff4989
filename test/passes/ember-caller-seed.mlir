// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-caller-seed)' | FileCheck %s

// torch-mlir's global seed becomes an argument after the inputs: the first draw reads it, the
// second what the first stored (no state stays in the module).
// CHECK-NOT:   ml_program.global
// CHECK-LABEL: func.func @main(
// CHECK-SAME:      %[[X:[^:]*]]: tensor<4xf32>, %[[SEED:[^:]*]]: i64 {ember.seed}) -> (i64, i64)
// CHECK-SAME:      attributes {ember.seeded}
// CHECK:         %[[FIRST:.*]] = tensor.from_elements %[[SEED]] : tensor<i64>
// CHECK-NOT:     ml_program
// CHECK:         %[[S0:.*]] = tensor.extract %[[FIRST]][] : tensor<i64>
// CHECK:         %[[K0:.*]] = arith.addi %[[S0]]
// CHECK:         %[[NEXT:.*]] = tensor.insert %[[K0]] into %[[FIRST]][] : tensor<i64>
// CHECK-NOT:     ml_program
// CHECK:         %[[S1:.*]] = tensor.extract %[[NEXT]][] : tensor<i64>
// CHECK:         %[[K1:.*]] = arith.addi %[[S1]]
// CHECK-NOT:     ml_program
// CHECK:         return %[[K0]], %[[K1]] : i64, i64
module {
  ml_program.global private mutable @global_seed(dense<0> : tensor<i64>) : tensor<i64>
  func.func @main(%x: tensor<4xf32>) -> (i64, i64) {
    %c = arith.constant 1442695040888963407 : i64
    %g0 = ml_program.global_load @global_seed : tensor<i64>
    %s0 = tensor.extract %g0[] : tensor<i64>
    %k0 = arith.addi %s0, %c : i64
    %n0 = tensor.insert %k0 into %g0[] : tensor<i64>
    ml_program.global_store @global_seed = %n0 : tensor<i64>
    %g1 = ml_program.global_load @global_seed : tensor<i64>
    %s1 = tensor.extract %g1[] : tensor<i64>
    %k1 = arith.addi %s1, %c : i64
    %n1 = tensor.insert %k1 into %g1[] : tensor<i64>
    ml_program.global_store @global_seed = %n1 : tensor<i64>
    return %k0, %k1 : i64, i64
  }
}

// -----

// Existing argument attributes are kept; without @main the only public function takes the seed.
// CHECK-LABEL: func.func @forward(
// CHECK-SAME:      %{{.*}}: tensor<2xf32> {ember.kept}, %{{.*}}: i64 {ember.seed}) -> i64
// CHECK-LABEL: func.func private @helper
module {
  ml_program.global private mutable @global_seed(dense<0> : tensor<i64>) : tensor<i64>
  func.func @forward(%x: tensor<2xf32> {ember.kept}) -> i64 {
    %g = ml_program.global_load @global_seed : tensor<i64>
    %s = tensor.extract %g[] : tensor<i64>
    return %s : i64
  }
  func.func private @helper() {
    return
  }
}

// -----

// A module that draws no random numbers is left as it is: no seed argument, no mark.
// CHECK-LABEL: func.func @main(%{{.*}}: tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NOT:     ember.seed
module {
  func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}

// -----

// Other ml_program globals are not the seed: untouched.
// CHECK: ml_program.global private mutable @other
// CHECK-LABEL: func.func @main(%{{.*}}: tensor<4xf32>) -> tensor<i64> {
// CHECK:         ml_program.global_load @other
module {
  ml_program.global private mutable @other(dense<0> : tensor<i64>) : tensor<i64>
  func.func @main(%x: tensor<4xf32>) -> tensor<i64> {
    %g = ml_program.global_load @other : tensor<i64>
    return %g : tensor<i64>
  }
}
