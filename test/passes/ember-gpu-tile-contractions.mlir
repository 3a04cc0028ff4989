// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-gpu-tile-contractions)' | FileCheck %s

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

// -----

// A 3x3 convolution with stride 2 as an implicit GEMM: rows f (6, read by the weights alone),
// columns (n, oh, ow) (2 x 4 x 4, read by the input alone: b, its last index along ow), k
// (c, kh, kw) flattened (36): 1 x 2 blocks; each staged element's coordinates split back out of
// the flat row, column and k, and the input's window arithmetic cloned with them.
// CHECK-LABEL: func.func @convolution
// CHECK:       scf.parallel (%[[BLOCK:.*]]) = (%{{.*}}) to (%c2{{.*}})
// CHECK:         scf.parallel (%[[TX:.*]], %[[TY:.*]]) = (%{{.*}}, %{{.*}}) to (%c16{{.*}}, %c16{{.*}})
// CHECK:           scf.for %[[K0:.*]] = %{{.*}} to %c36{{.*}} step %c16
// CHECK:             scf.if
// CHECK:               arith.divui
// CHECK:               %[[W:.*]] = memref.load %arg1[
// CHECK:               memref.store %[[W]], %{{.*}}[%[[TY]], %[[TX]]]
// CHECK:             scf.if
// CHECK:               affine.apply
// CHECK:               affine.apply
// CHECK:               %[[X:.*]] = memref.load %arg0[
// CHECK:               memref.store %[[X]], %{{.*}}[%[[TY]], %[[TX]]]
// CHECK:             gpu.barrier
// CHECK:             scf.for
// CHECK:             gpu.barrier
// CHECK:           scf.if
// CHECK:             memref.store %{{.*}}, %arg2[
// CHECK-NOT:   scf.for %{{.*}} = %{{.*}} to %c3
func.func @convolution(%in: memref<2x4x9x9xf32>, %w: memref<6x4x3x3xf32>, %out: memref<2x6x4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c6 = arith.constant 6 : index
  scf.parallel (%n, %f, %oh, %ow) = (%c0, %c0, %c0, %c0) to (%c2, %c6, %c4, %c4) step (%c1, %c1, %c1, %c1) {
    scf.for %c = %c0 to %c4 step %c1 {
      scf.for %kh = %c0 to %c3 step %c1 {
        scf.for %kw = %c0 to %c3 step %c1 {
          %ih = affine.apply affine_map<(d0, d1) -> (d0 * 2 + d1)>(%oh, %kh)
          %iw = affine.apply affine_map<(d0, d1) -> (d0 * 2 + d1)>(%ow, %kw)
          %x = memref.load %in[%n, %c, %ih, %iw] : memref<2x4x9x9xf32>
          %y = memref.load %w[%f, %c, %kh, %kw] : memref<6x4x3x3xf32>
          %acc = memref.load %out[%n, %f, %oh, %ow] : memref<2x6x4x4xf32>
          %p = arith.mulf %x, %y : f32
          %s = arith.addf %acc, %p : f32
          memref.store %s, %out[%n, %f, %oh, %ow] : memref<2x6x4x4xf32>
        }
      }
    }
    scf.reduce
  }
  return
}

// -----

// A depthwise convolution: the weights read no parallel dim that the input does not (c is
// both's), so there are no rows: not a GEMM, left for ember-gpu-reductions.
// CHECK-LABEL: func.func @depthwise
// CHECK-NOT:   gpu.barrier
// CHECK-NOT:   ember.workgroup
func.func @depthwise(%in: memref<1x4x6x6xf32>, %w: memref<4x1x3x3xf32>, %out: memref<1x4x4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%n, %c, %oh, %ow) = (%c0, %c0, %c0, %c0) to (%c1, %c4, %c4, %c4) step (%c1, %c1, %c1, %c1) {
    scf.for %kh = %c0 to %c3 step %c1 {
      scf.for %kw = %c0 to %c3 step %c1 {
        %ih = arith.addi %oh, %kh : index
        %iw = arith.addi %ow, %kw : index
        %x = memref.load %in[%n, %c, %ih, %iw] : memref<1x4x6x6xf32>
        %y = memref.load %w[%c, %c0, %kh, %kw] : memref<4x1x3x3xf32>
        %acc = memref.load %out[%n, %c, %oh, %ow] : memref<1x4x4x4xf32>
        %p = arith.mulf %x, %y : f32
        %s = arith.addf %acc, %p : f32
        memref.store %s, %out[%n, %c, %oh, %ow] : memref<1x4x4x4xf32>
      }
    }
    scf.reduce
  }
  return
}
