// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-seal-buffer-islands)' | FileCheck %s

// Two islands that copy one tensor (CSE left them one to_buffer): each gets its own read-only
// to_buffer just before its copy, so that One-Shot Bufferize sees the tensor read there too and
// does not let the fill between them write into its buffer.
// CHECK-LABEL: func.func @shared
// CHECK: %[[T:.*]] = linalg.fill
// CHECK: %[[A:.*]] = memref.alloc()
// CHECK-NEXT: %[[B1:.*]] = bufferization.to_buffer %[[T]] read_only
// CHECK-NEXT: memref.copy %[[B1]], %[[A]]
// CHECK: linalg.fill
// CHECK: %[[C:.*]] = memref.alloc()
// CHECK-NEXT: %[[B2:.*]] = bufferization.to_buffer %[[T]] read_only
// CHECK-NEXT: memref.copy %[[B2]], %[[C]]
func.func @shared(%x: f32, %y: f32) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4xf32>
  %t = linalg.fill ins(%x : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %b = bufferization.to_buffer %t : tensor<4xf32> to memref<4xf32>
  %a = memref.alloc() : memref<4xf32>
  %ra = bufferization.to_tensor %a : memref<4xf32> to tensor<4xf32>
  memref.copy %b, %a : memref<4xf32> to memref<4xf32>
  %u = linalg.fill ins(%y : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %c = memref.alloc() : memref<4xf32>
  %rc = bufferization.to_tensor %c : memref<4xf32> to tensor<4xf32>
  memref.copy %b, %c : memref<4xf32> to memref<4xf32>
  return %ra, %u, %rc : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// A to_buffer that something writes through is not split: one buffer, written and read.
// CHECK-LABEL: func.func @written
// CHECK-COUNT-1: bufferization.to_buffer
// CHECK-NOT: bufferization.to_buffer
func.func @written(%t: tensor<4xf32>, %v: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %b = bufferization.to_buffer %t : tensor<4xf32> to memref<4xf32>
  memref.store %v, %b[%c0] : memref<4xf32>
  %r = memref.load %b[%c0] : memref<4xf32>
  return %r : f32
}
