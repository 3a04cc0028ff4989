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

// Two tensors of one buffer, or a buffer that is freed: `restrict` would be a false promise.
// CHECK-LABEL: func.func @two_tensors_or_freed
// CHECK-NOT: restrict
// CHECK: return
func.func @two_tensors_or_freed(%i: index, %v: f32) -> (tensor<4xf32>, tensor<4xf32>, f32) {
  %a = memref.alloc() : memref<4xf32>
  %t1 = bufferization.to_tensor %a : memref<4xf32> to tensor<4xf32>
  %t2 = bufferization.to_tensor %a : memref<4xf32> to tensor<4xf32>
  memref.store %v, %a[%i] : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  %t3 = bufferization.to_tensor %b : memref<4xf32> to tensor<4xf32>
  %x = tensor.extract %t3[%i] : tensor<4xf32>
  memref.dealloc %b : memref<4xf32>
  return %t1, %t2, %x : tensor<4xf32>, tensor<4xf32>, f32
}
