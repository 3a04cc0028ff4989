// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-expand-log1p-expm1)' | FileCheck %s

// log1p: u = 1 + x, log(u) * (x / (u - 1)), x itself where u rounds to 1.
// CHECK-LABEL: func.func @log1p
// CHECK-NOT: math.log1p
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[U:.*]] = arith.addf %[[ONE]], %[[X:.*]] : f32
// CHECK: %[[D:.*]] = arith.subf %[[U]], %[[ONE]] : f32
// CHECK: %[[LOG:.*]] = math.log %[[U]] : f32
// CHECK: %[[Q:.*]] = arith.divf %[[X]], %[[D]] : f32
// CHECK: arith.mulf %[[LOG]], %[[Q]] : f32
// CHECK: %[[IS_ONE:.*]] = arith.cmpf oeq, %[[U]], %[[ONE]] : f32
// CHECK: arith.select %[[IS_ONE]], %[[X]], %{{.*}} : f32
func.func @log1p(%x: f32) -> f32 {
  %r = math.log1p %x : f32
  return %r : f32
}

// expm1 (f64 too): u = exp(x), (u - 1) * x / log(u), -1 and x at the ends.
// CHECK-LABEL: func.func @expm1
// CHECK-NOT: math.expm1
// CHECK: %[[U:.*]] = math.exp %[[X:.*]] : f64
// CHECK: math.log %[[U]] : f64
// CHECK: arith.cmpf oeq, %{{.*}}, %{{.*}} : f64
// CHECK-COUNT-3: arith.select
func.func @expm1(%x: f64) -> f64 {
  %r = math.expm1 %x : f64
  return %r : f64
}

// Vector forms are left alone (they appear only after vectorization, which runs later).
// CHECK-LABEL: func.func @vector
// CHECK: math.log1p %{{.*}} : vector<4xf32>
func.func @vector(%x: vector<4xf32>) -> vector<4xf32> {
  %r = math.log1p %x : vector<4xf32>
  return %r : vector<4xf32>
}
