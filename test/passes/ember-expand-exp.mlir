// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-expand-exp)' | FileCheck %s

// f32 exp in a linalg body becomes range reduction, a polynomial (FMAs) and 2^n from
// exponent bits; NaN is passed through.
// CHECK-LABEL: func.func @softmax_numerator
// CHECK: linalg.generic
// CHECK-NOT: math.exp
// CHECK: math.floor
// CHECK: math.fma
// CHECK: arith.shli
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK: arith.cmpf uno
// CHECK: arith.select
#id = affine_map<(d0) -> (d0)>
func.func @softmax_numerator(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.exp %in : f32
    linalg.yield %v : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// f64 (and vector) exp is left to LLVM.
// CHECK-LABEL: func.func @double
// CHECK: math.exp %{{.*}} : f64
// CHECK: math.exp %{{.*}} : vector<4xf32>
func.func @double(%x: f64, %v: vector<4xf32>) -> (f64, vector<4xf32>) {
  %r = math.exp %x : f64
  %w = math.exp %v : vector<4xf32>
  return %r, %w : f64, vector<4xf32>
}
