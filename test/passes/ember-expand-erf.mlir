// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-expand-erf)' | FileCheck %s

// f32 erf (GELU's) becomes a clamp to [-4, 4] and a ratio of two polynomials in x².
// CHECK-LABEL: func.func @gelu_erf
// CHECK: linalg.generic
// CHECK-NOT: math.erf
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK: arith.minimumf
// CHECK: math.fma
// CHECK: arith.divf
#id = affine_map<(d0) -> (d0)>
func.func @gelu_erf(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.erf %in : f32
    linalg.yield %v : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// f64 erf is left to libm.
// CHECK-LABEL: func.func @double
// CHECK: math.erf %{{.*}} : f64
func.func @double(%x: f64) -> f64 {
  %r = math.erf %x : f64
  return %r : f64
}
