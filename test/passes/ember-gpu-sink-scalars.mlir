// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-gpu-sink-scalars)' | FileCheck %s

// The seed's mixing (muli, addi of a function argument and constants) is computed in the
// kernel: the launch body uses its copies, and the host's are unused. The seed itself and the
// buffer still come from the host.
// CHECK-LABEL: func.func @seeded
// CHECK-SAME:    (%[[SEED:.*]]: i64, %[[OUT:.*]]: memref<4xi64>)
// CHECK:       gpu.launch
// CHECK:         %[[C:.*]] = arith.constant 6364136223846793005 : i64
// CHECK:         %[[M:.*]] = arith.muli %[[SEED]], %[[C]]
// CHECK:         %[[A:.*]] = arith.addi %[[M]], %{{.*}}
// CHECK:         memref.store %[[A]], %[[OUT]][%{{.*}}]
func.func @seeded(%seed: i64, %out: memref<4xi64>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %k = arith.constant 6364136223846793005 : i64
  %b = arith.constant 1442695040888963407 : i64
  %m = arith.muli %seed, %k : i64
  %a = arith.addi %m, %b : i64
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    memref.store %a, %out[%tx] : memref<4xi64>
    gpu.terminator
  }
  return
}
