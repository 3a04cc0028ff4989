// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-gpu-workgroup-memory)' | FileCheck %s

// The marked alloc becomes the launch's workgroup attribution; its uses follow.
// CHECK-LABEL: func.func @launch
// CHECK:       gpu.launch {{.*}} workgroup(%[[SHARED:.*]] : memref<32xf32, #gpu.address_space<workgroup>>)
// CHECK-NOT:     memref.alloc
// CHECK:         memref.store %{{.*}}, %[[SHARED]][%{{.*}}]
func.func @launch(%out: memref<32xf32>) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %one = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %shared = memref.alloc() {ember.workgroup} : memref<32xf32, #gpu.address_space<workgroup>>
    memref.store %one, %shared[%tx] : memref<32xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %v = memref.load %shared[%tx] : memref<32xf32, #gpu.address_space<workgroup>>
    memref.store %v, %out[%tx] : memref<32xf32>
    gpu.terminator
  }
  return
}
