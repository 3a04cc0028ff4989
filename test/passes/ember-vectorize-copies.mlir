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

// A row longer than chunk-bytes (256 B: 64 f32) moves in chunks: 224 = 4 x 56 (a 224-wide image).
// CHECK-LABEL: func.func @long_row
// CHECK: scf.for %[[H:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[C56:.*]] = arith.constant 56 : index
// CHECK: scf.for %[[W:.*]] = %{{.*}} to %{{.*}} step %[[C56]]
// CHECK: vector.transfer_read %{{.*}}[%[[H]], %[[W]]], %{{.*}} {in_bounds = [true]} : memref<3x224xf32>, vector<56xf32>
// CHECK: vector.transfer_write
// CHECK-NOT: memref.copy
// A prime row (no divisor within 4x of 64) stays one vector.
// CHECK-LABEL: func.func @prime_row
// CHECK: vector.transfer_read {{.*}} vector<223xf32>
// CHECK-NOT: memref.copy
func.func @long_row(%src: memref<3x224xf32>, %dst: memref<3x224xf32, strided<[230, 1], offset: 3>>) {
  memref.copy %src, %dst : memref<3x224xf32> to memref<3x224xf32, strided<[230, 1], offset: 3>>
  return
}
func.func @prime_row(%src: memref<3x223xf32>, %dst: memref<3x223xf32, strided<[230, 1], offset: 3>>) {
  memref.copy %src, %dst : memref<3x223xf32> to memref<3x223xf32, strided<[230, 1], offset: 3>>
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
