// --timing reports the wall time of every pass, ember and upstream, in pipeline order (stderr).
//
// RUN: ember-opt %s --pass-pipeline='builtin.module(canonicalize,ember-check-llvm-lowered,cse)' --timing -o /dev/null 2>&1 | FileCheck %s

// CHECK:      ember pass execution timing report
// CHECK:      Total wall time: {{[0-9.]+}} s
// CHECK:      {{[0-9.]+}}  ({{ *[0-9.]+}}%)  canonicalize
// CHECK-NEXT: {{[0-9.]+}}  ({{ *[0-9.]+}}%)  ember-check-llvm-lowered
// CHECK-NEXT: {{[0-9.]+}}  ({{ *[0-9.]+}}%)  cse

llvm.func @id(%a: f32) -> f32 {
  llvm.return %a : f32
}
