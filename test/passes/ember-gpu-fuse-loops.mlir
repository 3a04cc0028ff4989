// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-gpu-fuse-loops)' | FileCheck %s

// A fill, a matmul and its bias + relu over the same 5x48 points, touching %out only at
// [%i, %j]: one loop (the weight's get_global between them moves before it).
// CHECK-LABEL: func.func @fill_matmul_epilogue
// CHECK:       memref.get_global
// CHECK:       scf.parallel (%[[I:.*]], %[[J:.*]]) =
// CHECK:         memref.store %{{.*}}, %arg2[%[[I]], %[[J]]]
// CHECK:         scf.for
// CHECK:         %[[C:.*]] = memref.load %arg2[%[[I]], %[[J]]]
// CHECK:         arith.addf %[[C]]
// CHECK-NOT:   scf.parallel
func.func @fill_matmul_epilogue(%a: memref<5x64xf32>, %b: memref<64x48xf32>, %out: memref<5x48xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c48 = arith.constant 48 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c5, %c48) step (%c1, %c1) {
    memref.store %zero, %out[%i, %j] : memref<5x48xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c5, %c48) step (%c1, %c1) {
    scf.for %k = %c0 to %c64 step %c1 {
      %x = memref.load %a[%i, %k] : memref<5x64xf32>
      %y = memref.load %b[%k, %j] : memref<64x48xf32>
      %acc = memref.load %out[%i, %j] : memref<5x48xf32>
      %p = arith.mulf %x, %y : f32
      %s = arith.addf %acc, %p : f32
      memref.store %s, %out[%i, %j] : memref<5x48xf32>
    }
    scf.reduce
  }
  %bias = memref.get_global @bias : memref<48xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c5, %c48) step (%c1, %c1) {
    %c = memref.load %out[%i, %j] : memref<5x48xf32>
    %w = memref.load %bias[%j] : memref<48xf32>
    %s = arith.addf %c, %w : f32
    %r = arith.maximumf %s, %zero : f32
    memref.store %r, %out[%i, %j] : memref<5x48xf32>
    scf.reduce
  }
  return
}
memref.global "private" constant @bias : memref<48xf32> = dense<1.0>

// -----

// The second loop reads the first's output at another point (a transpose): iteration p would
// read what iteration q writes. Not fused.
// CHECK-LABEL: func.func @transposed_read
// CHECK:       scf.parallel
// CHECK:       scf.parallel
func.func @transposed_read(%x: memref<4x4xf32>, %t: memref<4x4xf32>, %y: memref<4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<4x4xf32>
    memref.store %v, %t[%i, %j] : memref<4x4xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %t[%j, %i] : memref<4x4xf32>
    memref.store %v, %y[%i, %j] : memref<4x4xf32>
    scf.reduce
  }
  return
}

// -----

// Two reductions over the same rows stay two loops: each is mapped its own way.
// CHECK-LABEL: func.func @two_reductions
// CHECK:       scf.parallel
// CHECK:       scf.parallel
func.func @two_reductions(%x: memref<4x64xf32>, %m: memref<4xf32>, %s: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.for %k = %c0 to %c64 step %c1 {
      %v = memref.load %x[%i, %k] : memref<4x64xf32>
      %a = memref.load %m[%i] : memref<4xf32>
      %n = arith.maximumf %a, %v : f32
      memref.store %n, %m[%i] : memref<4xf32>
    }
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.for %k = %c0 to %c64 step %c1 {
      %v = memref.load %x[%i, %k] : memref<4x64xf32>
      %a = memref.load %s[%i] : memref<4xf32>
      %n = arith.addf %a, %v : f32
      memref.store %n, %s[%i] : memref<4xf32>
    }
    scf.reduce
  }
  return
}
