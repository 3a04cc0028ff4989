// `ember-cpu` on an intermediate of dynamic size: ember-plan-memory's static arena cannot hold
// it, so it is allocated per call, through ember's allocation functions
// (finalize-memref-to-llvm{use-generic-functions}; runtime/alloc_cache.c reuses freed blocks),
// never malloc and free directly.
//
// RUN: ember-opt %S/Inputs/dynamic-rows-centered.mlir --pass-pipeline='builtin.module(ember-cpu)' | FileCheck %s \
// RUN:   --implicit-check-not=@malloc --implicit-check-not=@free

// CHECK-DAG:   llvm.func @_mlir_memref_to_llvm_free(!llvm.ptr)
// CHECK-DAG:   llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
// CHECK-LABEL: llvm.func @ember_entry(
// CHECK:         %[[SUMS:.*]] = llvm.call @_mlir_memref_to_llvm_alloc(%{{.*}}) : (i64) -> !llvm.ptr
// CHECK:         llvm.call @ember_entry_kernel_
// CHECK:         llvm.call @_mlir_memref_to_llvm_free(%[[SUMS]]) : (!llvm.ptr) -> ()
