// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-outline-kernels)' | FileCheck %s

// Two layers that differ only in their buffers and weights: one kernel, called twice. The
// constants are cloned in; the buffers and the weight globals are arguments;
// the straight-line op between the loops stays in the entry.
// CHECK-LABEL: func.func @entry
// CHECK-NOT: scf.for
// CHECK: %[[A:.*]] = memref.get_global @w0
// CHECK: %[[B:.*]] = memref.get_global @w1
// CHECK: call @entry_kernel_0(%arg0, %[[A]], %arg1) : (memref<8xf32>, memref<8xf32>, memref<8xf32>) -> ()
// CHECK: memref.store
// CHECK: call @entry_kernel_0(%arg1, %[[B]], %arg2) : (memref<8xf32>, memref<8xf32>, memref<8xf32>) -> ()
// CHECK-NOT: call
// CHECK: return
// CHECK: func.func private @entry_kernel_0(%[[X:.*]]: memref<8xf32>, %[[W:.*]]: memref<8xf32>, %[[Y:.*]]: memref<8xf32>)
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>
// CHECK-SAME: passthrough = ["noinline"]
// CHECK-DAG: arith.constant 0 : index
// CHECK-DAG: arith.constant 8 : index
// CHECK: scf.for
// CHECK: memref.load %[[X]]
// CHECK: memref.load %[[W]]
// CHECK: memref.store %{{.*}}, %[[Y]]
// CHECK-NOT: func.func private @entry_kernel_1
memref.global "private" constant @w0 : memref<8xf32> = dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]>
memref.global "private" constant @w1 : memref<8xf32> = dense<[8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0]>
func.func @entry(%x: memref<8xf32>, %y: memref<8xf32>, %z: memref<8xf32>) attributes {ember.entry} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %a = memref.get_global @w0 : memref<8xf32>
  %b = memref.get_global @w1 : memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    %u = memref.load %x[%i] : memref<8xf32>
    %v = memref.load %a[%i] : memref<8xf32>
    %s = arith.addf %u, %v : f32
    memref.store %s, %y[%i] : memref<8xf32>
  }
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %z[%c0] : memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    %u = memref.load %y[%i] : memref<8xf32>
    %v = memref.load %b[%i] : memref<8xf32>
    %s = arith.addf %u, %v : f32
    memref.store %s, %z[%i] : memref<8xf32>
  }
  return
}

// -----

// Loops that differ (a multiply, not an add) are two kernels; a loop's result (an accumulator
// the entry reads after it) is the kernel's result.
// CHECK-LABEL: func.func @entry
// CHECK: %[[S:.*]] = call @entry_kernel_0(%arg0) : (memref<8xf32>) -> f32
// CHECK: call @entry_kernel_1(%arg0) : (memref<8xf32>) -> f32
// CHECK: return %[[S]]
// CHECK: func.func private @entry_kernel_0(%{{.*}}: memref<8xf32>) -> f32
// CHECK: %[[R:.*]] = scf.for
// CHECK: arith.addf
// CHECK: return %[[R]] : f32
// CHECK: func.func private @entry_kernel_1
// CHECK: arith.mulf
func.func @entry(%x: memref<8xf32>) -> f32 attributes {ember.entry} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %init = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %sum = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %init) -> (f32) {
    %u = memref.load %x[%i] : memref<8xf32>
    %s = arith.addf %acc, %u : f32
    scf.yield %s : f32
  }
  %prod = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %one) -> (f32) {
    %u = memref.load %x[%i] : memref<8xf32>
    %s = arith.mulf %acc, %u : f32
    scf.yield %s : f32
  }
  return %sum : f32
}

// -----

// Negative: a function that is not the entry keeps its loops.
// CHECK-LABEL: func.func @helper
// CHECK: scf.for
// CHECK-NOT: call
// CHECK-NOT: func.func private
func.func @helper(%x: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %zero, %x[%i] : memref<8xf32>
  }
  return
}

// -----

// A global that holds one value (a splat) is read in the kernel, where LLVM sees the value; a
// weight is an argument.
// CHECK-LABEL: func.func @entry
// CHECK: %[[W:.*]] = memref.get_global @w
// CHECK: call @entry_kernel_0(%[[W]], %arg0) : (memref<8xf32>, memref<8xf32>) -> ()
// CHECK: func.func private @entry_kernel_0
// CHECK: memref.get_global @splat
// CHECK-NOT: memref.get_global @w
memref.global "private" constant @w : memref<8xf32> = dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]>
memref.global "private" constant @splat : memref<8xf32> = dense<0.5>
func.func @entry(%x: memref<8xf32>) attributes {ember.entry} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %a = memref.get_global @w : memref<8xf32>
  %h = memref.get_global @splat : memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    %u = memref.load %a[%i] : memref<8xf32>
    %v = memref.load %h[%i] : memref<8xf32>
    %s = arith.mulf %u, %v : f32
    memref.store %s, %x[%i] : memref<8xf32>
  }
  return
}
