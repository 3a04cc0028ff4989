// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-gpu-map-loops)' | FileCheck %s
// RUN: env EMBER_LOG=info ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-gpu-map-loops)' -o %t 2>&1 | FileCheck %s --check-prefix=LOG

// A 3x40 loop: the inner dim (40) on thread x (64 threads, guarded), the rows on thread y
// (4, guarded); one block; the body sees the row and the column as it did.
// CHECK-LABEL: func.func @rows_and_columns
// CHECK:      scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%c1{{.*}}) step
// CHECK:        scf.parallel (%[[TX:.*]], %[[TY:.*]]) = (%{{.*}}, %{{.*}}) to (%c64{{.*}}, %c4{{.*}})
// CHECK:          %[[X:.*]] = arith.addi %{{.*}}, %[[TX]]
// CHECK:          %[[Y:.*]] = arith.addi %{{.*}}, %[[TY]]
// CHECK:          scf.if
// CHECK:            memref.store %{{.*}}, %{{.*}}[%[[Y]], %[[X]]]
// CHECK:        } {mapping = [#gpu.loop_dim_map<processor = thread_x, {{.*}}>, #gpu.loop_dim_map<processor = thread_y, {{.*}}>]}
// CHECK:      } {mapping = [#gpu.loop_dim_map<processor = block_x, {{.*}}>]}
func.func @rows_and_columns(%out: memref<3x40xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c40 = arith.constant 40 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c3, %c40) step (%c1, %c1) {
    memref.store %one, %out[%i, %j] : memref<3x40xf32>
    scf.reduce
  }
  return
}

// -----

// 4-D (2x3x8x1024): threads on the last dim only (256 of 256); 2*3*8*4 = 192 blocks, one
// linear grid, delinearized; every dim divides, so there is no guard.
// CHECK-LABEL: func.func @four_dims
// CHECK:      scf.parallel (%{{.*}}) = (%{{.*}}) to (%c192{{.*}})
// CHECK:        scf.parallel (%{{.*}}) = (%{{.*}}) to (%c256{{.*}})
// CHECK-NOT:      scf.if
// CHECK:          memref.store
func.func @four_dims(%out: memref<2x3x8x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  %c1024 = arith.constant 1024 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%a, %b, %c, %d) = (%c0, %c0, %c0, %c0) to (%c2, %c3, %c8, %c1024) step (%c1, %c1, %c1, %c1) {
    memref.store %one, %out[%a, %b, %c, %d] : memref<2x3x8x1024xf32>
    scf.reduce
  }
  return
}

// -----

// A dynamic bound has no static grid: not mapped, logged.
// LOG: ember-gpu-map-loops: not mapped: a parallel loop with dynamic or offset bounds, or with reductions, at
// LOG: ember-gpu-map-loops: 1 loops left on the host
// CHECK-LABEL: func.func @dynamic
// CHECK:      scf.parallel
// CHECK-NOT:  mapping
func.func @dynamic(%out: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %one, %out[%i] : memref<?xf32>
    scf.reduce
  }
  return
}
