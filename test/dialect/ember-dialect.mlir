// The ember dialect round-trips through ember-opt: printed, parsed again, printed the same.
// RUN: ember-opt %s | ember-opt | FileCheck %s

// A fusion group holds the ops of one future kernel: its block arguments are its inputs and
// what its gpu.yield returns are its results.
// CHECK-LABEL: func.func @bias_relu(
// CHECK-SAME:     %[[X:.*]]: tensor<2x4xf32>, %[[B:.*]]: tensor<2x4xf32>)
// CHECK:         %[[G:.*]] = "ember.fusion_group"(%[[X]], %[[B]]) ({
// CHECK:         ^bb0(%[[GX:.*]]: tensor<2x4xf32>, %[[GB:.*]]: tensor<2x4xf32>):
// CHECK:           %[[SUM:.*]] = arith.addf %[[GX]], %[[GB]] : tensor<2x4xf32>
// CHECK:           %[[RELU:.*]] = arith.maximumf %[[SUM]], %{{.*}} : tensor<2x4xf32>
// CHECK:           gpu.yield %[[RELU]] : tensor<2x4xf32>
// CHECK:         }) {kind = "elementwise"} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK:         return %[[G]]
func.func @bias_relu(%x: tensor<2x4xf32>, %b: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = "ember.fusion_group"(%x, %b) ({
  ^bb0(%gx: tensor<2x4xf32>, %gb: tensor<2x4xf32>):
    %zero = arith.constant dense<0.0> : tensor<2x4xf32>
    %sum = arith.addf %gx, %gb : tensor<2x4xf32>
    %relu = arith.maximumf %sum, %zero : tensor<2x4xf32>
    gpu.yield %relu : tensor<2x4xf32>
  }) {kind = "elementwise"} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// Several results, and a group with no inputs (it only builds constants).
// CHECK-LABEL: func.func @two_results(
// CHECK:         %{{.*}}:2 = "ember.fusion_group"(%{{.*}}) ({
// CHECK:           gpu.yield %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>
// CHECK:         }) {kind = "elementwise"} : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
// CHECK:         "ember.fusion_group"() ({
// CHECK:         }) {kind = "elementwise"} : () -> tensor<4xf32>
func.func @two_results(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "ember.fusion_group"(%x) ({
  ^bb0(%gx: tensor<4xf32>):
    %neg = arith.negf %gx : tensor<4xf32>
    %abs = math.absf %gx : tensor<4xf32>
    gpu.yield %neg, %abs : tensor<4xf32>, tensor<4xf32>
  }) {kind = "elementwise"} : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  %1 = "ember.fusion_group"() ({
    %c = arith.constant dense<1.0> : tensor<4xf32>
    gpu.yield %c : tensor<4xf32>
  }) {kind = "elementwise"} : () -> tensor<4xf32>
  return %0#0, %0#1, %1 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
