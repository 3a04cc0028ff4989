// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-gpu-tile-matmuls)' | FileCheck %s

// A 40x70 @ 70x50 matmul: 3 x 4 blocks of 16x16 threads; per k tile, a and b staged through
// shared memory (guarded at the edges), a barrier, 16 (or the remainder) FMAs from shared
// memory in a register, a barrier; the tile's sums added into the output where in range.
// CHECK-LABEL: func.func @matmul
// CHECK:       scf.parallel (%[[BLOCK:.*]]) = (%{{.*}}) to (%c12{{.*}})
// CHECK:         scf.parallel (%[[TX:.*]], %[[TY:.*]]) = (%{{.*}}, %{{.*}}) to (%c16{{.*}}, %c16{{.*}})
// CHECK-DAG:       %[[AS:.*]] = memref.alloc() {ember.workgroup} : memref<16x16xf32, #gpu.address_space<workgroup>>
// CHECK-DAG:       %[[BS:.*]] = memref.alloc() {ember.workgroup} : memref<16x16xf32, #gpu.address_space<workgroup>>
// CHECK:           scf.for %[[K0:.*]] = %{{.*}} to %c70{{.*}} step %c16
// CHECK:             scf.if
// CHECK:               %[[A:.*]] = memref.load %arg0[
// CHECK:               memref.store %[[A]], %[[AS]][%[[TY]], %[[TX]]]
// CHECK:             scf.if
// CHECK:               %[[B:.*]] = memref.load %arg1[
// CHECK:               memref.store %[[B]], %[[BS]][%[[TY]], %[[TX]]]
// CHECK:             gpu.barrier
// CHECK:             arith.minui
// CHECK:             scf.for %[[KK:.*]] = {{.*}} iter_args
// CHECK:               memref.load %[[AS]][%[[TY]], %[[KK]]]
// CHECK:               memref.load %[[BS]][%[[KK]], %[[TX]]]
// CHECK:               arith.mulf
// CHECK:               arith.addf
// CHECK:             gpu.barrier
// CHECK:           scf.if
// CHECK:             memref.store %{{.*}}, %arg2[
func.func @matmul(%a: memref<40x70xf32>, %b: memref<70x50xf32>, %c: memref<40x50xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c40 = arith.constant 40 : index
  %c50 = arith.constant 50 : index
  %c70 = arith.constant 70 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c40, %c50) step (%c1, %c1) {
    scf.for %k = %c0 to %c70 step %c1 {
      %x = memref.load %a[%i, %k] : memref<40x70xf32>
      %y = memref.load %b[%k, %j] : memref<70x50xf32>
      %acc = memref.load %c[%i, %j] : memref<40x50xf32>
      %p = arith.mulf %x, %y : f32
      %s = arith.addf %acc, %p : f32
      memref.store %s, %c[%i, %j] : memref<40x50xf32>
    }
    scf.reduce
  }
  return
}

// -----

// A matvec (b does not read j... there is no j): not a matmul, left for ember-gpu-reductions.
// CHECK-LABEL: func.func @row_sums_of_a_product
// CHECK-NOT:   gpu.barrier
// CHECK-NOT:   ember.workgroup
func.func @row_sums_of_a_product(%a: memref<8x16xf32>, %b: memref<8x16xf32>, %c: memref<8x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c4) step (%c1, %c1) {
    scf.for %k = %c0 to %c16 step %c1 {
      %x = memref.load %a[%i, %k] : memref<8x16xf32>
      %y = memref.load %b[%i, %k] : memref<8x16xf32>
      %acc = memref.load %c[%i, %j] : memref<8x4xf32>
      %p = arith.mulf %x, %y : f32
      %s = arith.addf %acc, %p : f32
      memref.store %s, %c[%i, %j] : memref<8x4xf32>
    }
    scf.reduce
  }
  return
}
