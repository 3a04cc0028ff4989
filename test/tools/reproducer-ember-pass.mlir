// An ember (Python) pass that fails leaves a reproducer too, replayed through the same registry.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: env EMBER_REPRODUCER_DIR=%t not ember-opt %s --pass-pipeline='builtin.module(canonicalize,ember-check-llvm-lowered)' 2>&1 | FileCheck %s --check-prefix=FAIL
// RUN: cat %t/*.mlir | FileCheck %s --check-prefix=FILE
// RUN: not ember-opt --run-reproducer %t/*.mlir 2>&1 | FileCheck %s --check-prefix=FAIL

// FAIL:   reproducer-ember-pass.mlir:[[# @LINE + 7]]:1: error: 'func.func' was not lowered to the LLVM dialect
// FAIL:   error: pass 'ember-check-llvm-lowered' failed
// FAIL:   reproducer: {{.*}}.mlir

// FILE:   // ember-reproducer pipeline: builtin.module(ember-check-llvm-lowered)
// FILE:   func.func @not_lowered

func.func @not_lowered(%a: f32) -> f32 {
  %0 = arith.addf %a, %a : f32
  return %0 : f32
}
