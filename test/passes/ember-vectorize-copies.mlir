// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-vectorize-copies)' | FileCheck %s

// A copy into the interior of a padded buffer: loops over the outer dims, one vector row each.
// CHECK-LABEL: func.func @interior
// CHECK-SAME: (%[[SRC:.*]]: memref<2x3x8xf32>, %[[DST:.*]]: memref<2x3x8xf32, strided<[50, 10, 1], offset: 11>>)
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[ROW:.*]] = vector.transfer_read %[[SRC]][%[[I]], %[[J]], %{{.*}}], %{{.*}} {in_bounds = [true]} : memref<2x3x8xf32>, vector<8xf32>
// CHECK: vector.transfer_write %[[ROW]], %[[DST]][%[[I]], %[[J]], %{{.*}}] {in_bounds = [true]}
// CHECK-NOT: memref.copy
func.func @interior(%src: memref<2x3x8xf32>, %dst: memref<2x3x8xf32, strided<[50, 10, 1], offset: 11>>) {
  memref.copy %src, %dst : memref<2x3x8xf32> to memref<2x3x8xf32, strided<[50, 10, 1], offset: 11>>
  return
}

// -----

// Left alone: contiguous copies (one memcpy), a strided innermost dim, dynamic shapes.
// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy
// CHECK-LABEL: func.func @column
// CHECK: memref.copy
// CHECK-LABEL: func.func @dynamic
// CHECK: memref.copy
func.func @contiguous(%src: memref<4x8xf32>, %dst: memref<4x8xf32, strided<[8, 1], offset: ?>>) {
  memref.copy %src, %dst : memref<4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: ?>>
  return
}
func.func @column(%src: memref<4x8xf32>, %dst: memref<4x8xf32, strided<[1, 4]>>) {
  memref.copy %src, %dst : memref<4x8xf32> to memref<4x8xf32, strided<[1, 4]>>
  return
}
func.func @dynamic(%src: memref<?x8xf32>, %dst: memref<?x8xf32, strided<[10, 1]>>) {
  memref.copy %src, %dst : memref<?x8xf32> to memref<?x8xf32, strided<[10, 1]>>
  return
}
