// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-weights-as-bytes{min-bytes=16})' | FileCheck %s

// A dense f32 weight: the same 32 bytes as an i8 array, alignment kept; the code that reads it
// through its address is unchanged.
// CHECK: llvm.mlir.global private constant @w(dense<[0, 0, -128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, -128, 64, 0, 0, -96, 64, 0, 0, -64, 64, 0, 0, -32, 64, 0, 0, 0, 65]> : tensor<32xi8>) {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<32 x i8>
llvm.mlir.global private constant @w(dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]> : tensor<2x4xf32>) {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<2 x array<4 x f32>>

// Negative: a splat, a global under min-bytes and an i1 global keep their types.
// CHECK: llvm.mlir.global private constant @splat(dense<1.000000e+00> : tensor<2x4xf32>)
// CHECK-SAME: !llvm.array<2 x array<4 x f32>>
llvm.mlir.global private constant @splat(dense<1.0> : tensor<2x4xf32>) {addr_space = 0 : i32} : !llvm.array<2 x array<4 x f32>>
// CHECK: llvm.mlir.global private constant @small(dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>)
// CHECK-SAME: !llvm.array<2 x f32>
llvm.mlir.global private constant @small(dense<[1.0, 2.0]> : tensor<2xf32>) {addr_space = 0 : i32} : !llvm.array<2 x f32>
// CHECK: llvm.mlir.global private constant @mask(dense<[true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false]> : tensor<32xi1>)
// CHECK-SAME: !llvm.array<32 x i1>
llvm.mlir.global private constant @mask(dense<[true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false]> : tensor<32xi1>) {addr_space = 0 : i32} : !llvm.array<32 x i1>

// CHECK: llvm.func @read
// CHECK: llvm.mlir.addressof @w : !llvm.ptr
llvm.func @read() -> !llvm.ptr {
  %0 = llvm.mlir.addressof @w : !llvm.ptr
  llvm.return %0 : !llvm.ptr
}
