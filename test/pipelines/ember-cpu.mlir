// `ember-cpu` lowers linalg-on-tensors all the way to the LLVM dialect: no op of another
// dialect is left, and the entry has ember's ABI (ember-entry-point): inputs, outputs, the
// context's arena and thread count, a status result, and a C interface for the runtime.
//
// RUN: ember-opt %S/Inputs/matmul-bias-relu.mlir --pass-pipeline='builtin.module(ember-cpu)' | FileCheck %s \
// RUN:   --implicit-check-not=linalg. --implicit-check-not=tensor. --implicit-check-not=memref. \
// RUN:   --implicit-check-not=bufferization. --implicit-check-not=vector. --implicit-check-not=scf. \
// RUN:   --implicit-check-not=arith. --implicit-check-not=math. --implicit-check-not=func.func
// The result also passes ember's own check that every op is in the LLVM dialect.
// RUN: ember-opt %S/Inputs/matmul-bias-relu.mlir --pass-pipeline='builtin.module(ember-cpu,ember-check-llvm-lowered)' -o /dev/null

// CHECK-LABEL: llvm.func @ember_entry(
// CHECK-SAME:     %{{.*}}: i32 {ember.threads}) -> i32
// CHECK-SAME:     attributes {ember.arena_size = 0 : i64, ember.entry, llvm.emit_c_interface}
// CHECK:         llvm.load
// CHECK:         llvm.store
// CHECK:         llvm.return %{{.*}} : i32
// CHECK-LABEL: llvm.func @_mlir_ciface_ember_entry(
// CHECK-SAME:     !llvm.ptr {ember.arena, llvm.noalias}, %{{.*}}: i32 {ember.threads}) -> i32
// CHECK:         llvm.call @ember_entry(
