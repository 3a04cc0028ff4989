// `ember-cpu` lowers linalg-on-tensors all the way to the LLVM dialect: no op of another
// dialect is left, and `main` keeps its C interface for the runtime.
//
// RUN: ember-opt %S/Inputs/matmul-bias-relu.mlir --pass-pipeline='builtin.module(ember-cpu)' | FileCheck %s \
// RUN:   --implicit-check-not=linalg. --implicit-check-not=tensor. --implicit-check-not=memref. \
// RUN:   --implicit-check-not=bufferization. --implicit-check-not=vector. --implicit-check-not=scf. \
// RUN:   --implicit-check-not=arith. --implicit-check-not=math. --implicit-check-not=func.func
// The result also passes ember's own check that every op is in the LLVM dialect.
// RUN: ember-opt %S/Inputs/matmul-bias-relu.mlir --pass-pipeline='builtin.module(ember-cpu,ember-check-llvm-lowered)' -o /dev/null

// CHECK-LABEL: llvm.func @main(
// CHECK-SAME:     attributes {llvm.emit_c_interface}
// CHECK:         llvm.load
// CHECK:         llvm.store
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_main(
// CHECK:         llvm.call @main(
