// RUN: ember-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(ember-check-llvm-lowered)'

// A function the pipeline left in the func dialect is reported where it stands; its body
// is not reported again.
// expected-error @+1 {{'func.func' was not lowered to the LLVM dialect}}
func.func @not_lowered(%a: f32) -> f32 {
  %0 = arith.addf %a, %a : f32
  return %0 : f32
}

// -----

// Inside an llvm.func, a leftover op of another dialect is reported too.
llvm.func @mixed(%a: f32) -> f32 {
  // expected-error @+1 {{'arith.mulf' was not lowered to the LLVM dialect}}
  %0 = arith.mulf %a, %a : f32
  llvm.return %0 : f32
}
