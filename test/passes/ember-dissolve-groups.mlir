// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-dissolve-groups)' | FileCheck %s

// The body's ops take the group's place, and the group's result is the yielded value.
// CHECK-LABEL: func.func @dissolve
// CHECK-NOT: ember.fusion_group
// CHECK-NOT: gpu.yield
// CHECK: %[[E:.*]] = math.exp %{{.*}} : tensor<4xf32>
// CHECK: %[[N:.*]] = arith.negf %[[E]]
// CHECK: return %[[N]]
func.func @dissolve(%x: tensor<4xf32>) -> tensor<4xf32> {
  %g = "ember.fusion_group"() ({
    %e = math.exp %x : tensor<4xf32>
    gpu.yield %e : tensor<4xf32>
  }) {kind = "elementwise"} : () -> tensor<4xf32>
  %n = arith.negf %g : tensor<4xf32>
  return %n : tensor<4xf32>
}

// A function without groups is left as it is.
// CHECK-LABEL: func.func @none
// CHECK-NEXT: math.exp
// CHECK-NEXT: return
func.func @none(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = math.exp %x : tensor<4xf32>
  return %e : tensor<4xf32>
}
