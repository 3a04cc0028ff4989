// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-seal-buffer-islands)' | FileCheck %s

// A to_tensor of anything but a fresh alloc, and a to_buffer that is written: left alone.
// CHECK-LABEL: func.func @not_an_island
// CHECK: bufferization.to_buffer %{{.*}} : tensor<4xf32> to memref<4xf32>
// CHECK: bufferization.to_tensor %{{.*}} : memref<4xf32> to tensor<4xf32>
// CHECK-NOT: restrict
// CHECK-NOT: read_only
func.func @not_an_island(%t: tensor<4xf32>, %m: memref<4xf32>, %i: index, %v: f32) -> tensor<4xf32> {
  %b = bufferization.to_buffer %t : tensor<4xf32> to memref<4xf32>
  memref.store %v, %b[%i] : memref<4xf32>
  %r = bufferization.to_tensor %m : memref<4xf32> to tensor<4xf32>
  return %r : tensor<4xf32>
}
