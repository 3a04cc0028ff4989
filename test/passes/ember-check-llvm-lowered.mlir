// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-check-llvm-lowered)' | FileCheck %s

// An LLVM-dialect module passes unchanged.
// CHECK-LABEL: llvm.func @add
// CHECK: llvm.fadd
// CHECK-LABEL: llvm.func @main
// CHECK: llvm.call @add
llvm.func @add(%a: f32, %b: f32) -> f32 {
  %0 = llvm.fadd %a, %b : f32
  llvm.return %0 : f32
}
llvm.func @main(%a: f32) -> f32 {
  %0 = llvm.call @add(%a, %a) : (f32, f32) -> f32
  llvm.return %0 : f32
}

// OpenMP ops (threads > 1) pass too: the LLVM IR translation takes them.
// CHECK-LABEL: llvm.func @parallel
// CHECK: omp.parallel
llvm.func @parallel() {
  omp.parallel {
    omp.terminator
  }
  llvm.return
}
