// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-gpu-host-kernels)' | FileCheck %s
// RUN: env EMBER_LOG=info ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-gpu-host-kernels)' -o %t 2>&1 | FileCheck %s --check-prefix=LOG

// A copy becomes a parallel loop over its shape; the status slot's store a kernel of one
// thread; the load of the status that the function returns, the views and the existing
// parallel loop stay as they are.
// LOG: ember-gpu-host-kernels: memref.store runs as a kernel of one thread, at
// LOG: ember-gpu-host-kernels: 1 kernels of one thread
// CHECK-LABEL: func.func @entry
// CHECK:       %[[STATUS:.*]] = memref.view
// CHECK:       scf.parallel (%{{.*}}) = (%{{.*}}) to (%c1{{.*}})
// CHECK-NEXT:    memref.store %{{.*}}, %[[STATUS]][]
// CHECK:       scf.parallel (%[[I:.*]], %[[J:.*]]) = (%{{.*}}, %{{.*}}) to (%c2{{.*}}, %c3{{.*}})
// CHECK-NEXT:    %[[V:.*]] = memref.load %arg0[%[[I]], %[[J]]]
// CHECK-NEXT:    memref.store %[[V]], %arg1[%[[I]], %[[J]]]
// CHECK-NOT:   memref.copy
// CHECK:       %[[S:.*]] = memref.load %[[STATUS]][]
// CHECK-NEXT:  return %[[S]]
func.func @entry(%in: memref<2x3xf32>, %out: memref<2x3xf32>, %arena: memref<?xi8>) -> i32 {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0 : i32
  %status = memref.view %arena[%c0][] : memref<?xi8> to memref<i32>
  memref.store %zero, %status[] : memref<i32>
  memref.copy %in, %out : memref<2x3xf32> to memref<2x3xf32>
  %s = memref.load %status[] : memref<i32>
  return %s : i32
}

// -----

// A loop whose result the host uses cannot move into a kernel: left, and logged.
// LOG: ember-gpu-host-kernels: scf.for left on the host, which uses its results, at
// CHECK-LABEL: func.func @carried
// CHECK-NOT:   scf.parallel
// CHECK:       scf.for
func.func @carried(%in: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %init = arith.constant 0.0 : f32
  %sum = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %init) -> f32 {
    %v = memref.load %in[%i] : memref<4xf32>
    %next = arith.addf %acc, %v : f32
    scf.yield %next : f32
  }
  return %sum : f32
}

// -----

// The branch of a failed runtime check (marked by ember-runtime-checks), which only writes the
// status slot, is a kernel of one thread like the store it holds.
// CHECK-LABEL: func.func @check
// CHECK:       scf.parallel
// CHECK-NEXT:    scf.if
// CHECK-NEXT:      memref.store
func.func @check(%in: memref<i8>, %arena: memref<?xi8>) -> i32 {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1 : i32
  %status = memref.view %arena[%c0][] : memref<?xi8> to memref<i32>
  %byte = memref.load %in[] : memref<i8>
  %failed = arith.trunci %byte : i8 to i1
  scf.if %failed {
    memref.store %one, %status[] : memref<i32>
  } {ember.check_branch}
  %s = memref.load %status[] : memref<i32>
  return %s : i32
}
