// Malformed ember.fusion_group ops are rejected by the dialect's IRDL verifier with a
// diagnostic at the op.
// RUN: ember-opt %s --split-input-file --verify-diagnostics

func.func @missing_kind(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'ember.fusion_group' op attribute "kind" is expected but not provided}}
  %0 = "ember.fusion_group"(%x) ({
  ^bb0(%gx: tensor<4xf32>):
    gpu.yield %gx : tensor<4xf32>
  }) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @kind_not_a_string(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expected base attribute 'builtin.string' but got 'builtin.integer'}}
  %0 = "ember.fusion_group"(%x) ({
  ^bb0(%gx: tensor<4xf32>):
    gpu.yield %gx : tensor<4xf32>
  }) {kind = 1 : i32} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @two_regions(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'ember.fusion_group' op unexpected number of regions: expected 1 but got 2}}
  %0 = "ember.fusion_group"(%x) ({
  ^bb0(%gx: tensor<4xf32>):
    gpu.yield %gx : tensor<4xf32>
  }, {
    gpu.yield %x : tensor<4xf32>
  }) {kind = "elementwise"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @empty_body(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expected region 0 to have 1 block(s) but got 0}}
  %0 = "ember.fusion_group"(%x) ({
  }) {kind = "elementwise"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// The body must end in a terminator (gpu.yield): IRDL cannot make one implicit.
func.func @no_terminator(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "ember.fusion_group"(%x) ({
  ^bb0(%gx: tensor<4xf32>):
    // expected-error @+1 {{block with no terminator}}
    %neg = arith.negf %gx : tensor<4xf32>
  }) {kind = "elementwise"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
