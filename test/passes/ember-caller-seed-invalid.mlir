// RUN: ember-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(ember-caller-seed)'

// A draw inside a nested region: its order among the entry's draws is not the order of the ops.
module {
  ml_program.global private mutable @global_seed(dense<0> : tensor<i64>) : tensor<i64>
  func.func @main(%flag: i1) -> tensor<i64> {
    %r = scf.if %flag -> tensor<i64> {
      // expected-error @below {{ember-caller-seed: the seed of a random op is read or written outside the body of @main}}
      %g = ml_program.global_load @global_seed : tensor<i64>
      scf.yield %g : tensor<i64>
    } else {
      %z = arith.constant dense<0> : tensor<i64>
      scf.yield %z : tensor<i64>
    }
    return %r : tensor<i64>
  }
}

// -----

// A draw in another function than the entry.
module {
  ml_program.global private mutable @global_seed(dense<0> : tensor<i64>) : tensor<i64>
  func.func @main() -> tensor<i64> {
    %r = func.call @draw() : () -> tensor<i64>
    return %r : tensor<i64>
  }
  func.func private @draw() -> tensor<i64> {
    // expected-error @below {{outside the body of @main}}
    %g = ml_program.global_load @global_seed : tensor<i64>
    return %g : tensor<i64>
  }
}

// -----

// expected-error @below {{keeps a random seed (@global_seed) but has no @main (nor one public function)}}
module {
  ml_program.global private mutable @global_seed(dense<0> : tensor<i64>) : tensor<i64>
  func.func @forward() {
    return
  }
  func.func @backward() {
    return
  }
}
