// RUN: ember-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(ember-bool-to-byte)'

// A named op with a bool operand is not handled: the pass must run after
// linalg-generalize-named-ops. It fails with the op's location instead of guessing.
func.func @named_op(%m: tensor<4xi1>) -> tensor<4xi1> {
  %e = tensor.empty() : tensor<4xi1>
  // expected-error @+1 {{ember-bool-to-byte cannot store the booleans of 'linalg.copy' as bytes}}
  %c = linalg.copy ins(%m : tensor<4xi1>) outs(%e : tensor<4xi1>) -> tensor<4xi1>
  return %c : tensor<4xi1>
}

// -----

// Elementwise arith on whole bool tensors would need i1 semantics on bytes: rejected.
func.func @tensor_arith(%a: tensor<4xi1>, %b: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{ember-bool-to-byte cannot store the booleans of 'arith.andi' as bytes}}
  %c = arith.andi %a, %b : tensor<4xi1>
  return %c : tensor<4xi1>
}
