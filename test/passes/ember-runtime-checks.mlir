// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-runtime-checks)' | FileCheck %s

// A failed check stores its code in the status slot unless an earlier one failed (eager raises
// at the first); the entry lists the checks with the
// exception eager raises (the table of torch-mlir's messages). The checked index is clamped for
// its later uses; reciprocal's zero check goes (eager returns inf).
// CHECK-LABEL: func.func @ember_entry
// CHECK-SAME: ember.errors = ["IndexError: index out of range (too large){{[^"]*}}", "RuntimeError: something torch-mlir checks{{[^"]*}}"]
// CHECK: %[[STATUS:.*]] = memref.alloca() {ember.status} : memref<i32>
// CHECK: %[[LT:.*]] = arith.cmpi slt, %[[I:.*]], %{{.*}} : index
// CHECK: %[[SAFE:.*]] = arith.select %[[LT]], %[[I]], %{{.*}} : index
// CHECK: %[[FAILED:.*]] = arith.xori %[[LT]], %{{.*}} : i1
// CHECK: scf.if %[[FAILED]] {
// CHECK:   %[[NOW:.*]] = memref.load %[[STATUS]][] : memref<i32>
// CHECK:   %[[CLEAR:.*]] = arith.cmpi eq, %[[NOW]], %{{.*}} : i32
// CHECK:   scf.if %[[CLEAR]] {
// CHECK:     %[[ONE:.*]] = arith.constant 1 : i32
// CHECK:     memref.store %[[ONE]], %[[STATUS]][] : memref<i32>
// CHECK: memref.load %{{.*}}[%[[SAFE]]]
// CHECK: scf.if
// CHECK: arith.constant 2 : i32
// CHECK-NOT: cf.assert
func.func @ember_entry(%x: memref<10xf32>, %i: index, %f: f32, %c: i1, %out: memref<f32>) -> i32 attributes {ember.entry} {
  %status = memref.alloca() {ember.status} : memref<i32>
  %c10 = arith.constant 10 : index
  %lt = arith.cmpi slt, %i, %c10 : index
  cf.assert %lt, "index must be smaller than dim size"
  %v = memref.load %x[%i] : memref<10xf32>
  %zero = arith.constant 0.0 : f32
  %nz = arith.cmpf one, %f, %zero : f32
  cf.assert %nz, "unimplemented: tensor with zero element"
  cf.assert %c, "something torch-mlir checks"
  memref.store %v, %out[] : memref<f32>
  %s = memref.load %status[] : memref<i32>
  return %s : i32
}

// -----

// Functions other than the entry keep their asserts.
// CHECK-LABEL: func.func @helper
// CHECK: cf.assert
func.func @helper(%c: i1) {
  cf.assert %c, "kept"
  return
}
func.func @ember_entry() -> i32 attributes {ember.entry} {
  %status = memref.alloca() {ember.status} : memref<i32>
  %s = memref.load %status[] : memref<i32>
  return %s : i32
}
