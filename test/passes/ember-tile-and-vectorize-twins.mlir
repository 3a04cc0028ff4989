// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-tile-and-vectorize{vector-bits=512})' | FileCheck %s
// RUN: env EMBER_LOG=info ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-tile-and-vectorize{vector-bits=512})' -o %t 2>&1 | FileCheck %s --check-prefix=LOG

// Two layers of one shape (a model's repeated blocks): the second group is a copy of the first
// one's schedule, reading its own input and weight; the third's bias differs in a splat (a
// folder may read it into the code), so it is scheduled itself, and keeps its own bias.
// LOG: ember-tile-and-vectorize: 1 copied from a twin, 2 register-blocked
// CHECK-LABEL: func.func @layers
// CHECK-SAME: (%[[X:.*]]: tensor<16x64xf32>, %[[W1:.*]]: tensor<64x64xf32>, %[[W2:.*]]: tensor<64x64xf32>)
// CHECK-DAG: %[[TWO:.*]] = arith.constant dense<2.000000e+00> : vector<8x32xf32>
// CHECK-DAG: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : vector<8x32xf32>
// CHECK: %[[G1:.*]] = "ember.fusion_group"() ({
// CHECK: tensor.extract_slice %[[X]]
// CHECK: tensor.extract_slice %[[W1]]
// CHECK: vector.fma
// CHECK: arith.addf %{{.*}}, %[[ONE]]
// CHECK: }) {kind = "contraction"}
// CHECK: %[[G2:.*]] = "ember.fusion_group"() ({
// CHECK: tensor.extract_slice %[[G1]]
// CHECK: tensor.extract_slice %[[W2]]
// CHECK: vector.fma
// CHECK: arith.addf %{{.*}}, %[[ONE]]
// CHECK: }) {kind = "contraction"}
// CHECK: "ember.fusion_group"() ({
// CHECK: tensor.extract_slice %[[G2]]
// CHECK: tensor.extract_slice %[[W1]]
// CHECK: vector.fma
// CHECK: arith.addf %{{.*}}, %[[TWO]]
// CHECK: }) {kind = "contraction"}
// CHECK-NOT: linalg.matmul
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @layers(%x: tensor<16x64xf32>, %w1: tensor<64x64xf32>, %w2: tensor<64x64xf32>) -> tensor<16x64xf32> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %two = arith.constant 2.0 : f32
  %e = tensor.empty() : tensor<16x64xf32>
  %g1 = "ember.fusion_group"() ({
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<16x64xf32>) -> tensor<16x64xf32>
    %m = linalg.matmul ins(%x, %w1 : tensor<16x64xf32>, tensor<64x64xf32>) outs(%f : tensor<16x64xf32>) -> tensor<16x64xf32>
    %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%m : tensor<16x64xf32>) outs(%e : tensor<16x64xf32>) {
    ^bb0(%in: f32, %out: f32):
      %v = arith.addf %in, %one : f32
      linalg.yield %v : f32
    } -> tensor<16x64xf32>
    gpu.yield %r : tensor<16x64xf32>
  }) {kind = "contraction"} : () -> tensor<16x64xf32>
  %g2 = "ember.fusion_group"() ({
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<16x64xf32>) -> tensor<16x64xf32>
    %m = linalg.matmul ins(%g1, %w2 : tensor<16x64xf32>, tensor<64x64xf32>) outs(%f : tensor<16x64xf32>) -> tensor<16x64xf32>
    %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%m : tensor<16x64xf32>) outs(%e : tensor<16x64xf32>) {
    ^bb0(%in: f32, %out: f32):
      %v = arith.addf %in, %one : f32
      linalg.yield %v : f32
    } -> tensor<16x64xf32>
    gpu.yield %r : tensor<16x64xf32>
  }) {kind = "contraction"} : () -> tensor<16x64xf32>
  %g3 = "ember.fusion_group"() ({
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<16x64xf32>) -> tensor<16x64xf32>
    %m = linalg.matmul ins(%g2, %w1 : tensor<16x64xf32>, tensor<64x64xf32>) outs(%f : tensor<16x64xf32>) -> tensor<16x64xf32>
    %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%m : tensor<16x64xf32>) outs(%e : tensor<16x64xf32>) {
    ^bb0(%in: f32, %out: f32):
      %v = arith.addf %in, %two : f32
      linalg.yield %v : f32
    } -> tensor<16x64xf32>
    gpu.yield %r : tensor<16x64xf32>
  }) {kind = "contraction"} : () -> tensor<16x64xf32>
  return %g3 : tensor<16x64xf32>
}
