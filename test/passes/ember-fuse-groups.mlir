// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-fuse-groups)' | FileCheck %s

// A matmul with its init and its bias + relu epilogue is one contraction group; the relu of
// the first layer is NOT pulled into the second matmul's group (it would be recomputed for
// every step of that matmul's reduction): it ends the first group.
// CHECK-LABEL: func.func @two_layers
// CHECK: %[[L1:.*]] = "ember.fusion_group"() ({
// CHECK:   linalg.fill
// CHECK:   linalg.matmul
// CHECK:   arith.addf
// CHECK:   %[[RELU:.*]] = linalg.generic
// CHECK:     arith.maximumf
// CHECK:   gpu.yield %[[RELU]]
// CHECK: }) {kind = "contraction"} : () -> tensor<4x16xf32>
// CHECK: %[[L2:.*]] = "ember.fusion_group"() ({
// CHECK:   linalg.fill
// CHECK:   %[[MM:.*]] = linalg.matmul ins(%[[L1]],
// CHECK-NOT: arith.maximumf
// CHECK:   gpu.yield %[[MM]]
// CHECK: }) {kind = "contraction"}
// CHECK: return %[[L2]]
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @two_layers(%x: tensor<4x8xf32>, %w1: tensor<8x16xf32>, %b1: tensor<16xf32>, %w2: tensor<16x2xf32>) -> tensor<4x2xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x16xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %a1 = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m1, %b1 : tensor<4x16xf32>, tensor<16xf32>) outs(%e1 : tensor<4x16xf32>) {
  ^bb0(%in: f32, %b: f32, %out: f32):
    %s = arith.addf %in, %b : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  %r1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a1 : tensor<4x16xf32>) outs(%e1 : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x16xf32>
  %e2 = tensor.empty() : tensor<4x2xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x2xf32>) -> tensor<4x2xf32>
  %m2 = linalg.matmul ins(%r1, %w2 : tensor<4x16xf32>, tensor<16x2xf32>) outs(%f2 : tensor<4x2xf32>) -> tensor<4x2xf32>
  return %m2 : tensor<4x2xf32>
}

// -----

// A softmax (max, exp of the difference, sum, divide) is one reduction group.
// CHECK-LABEL: func.func @softmax
// CHECK: %[[G:.*]] = "ember.fusion_group"() ({
// CHECK:   arith.maximumf
// CHECK:   math.exp
// CHECK:   arith.addf
// CHECK:   %[[DIV:.*]] = linalg.generic
// CHECK:     arith.divf
// CHECK:   gpu.yield %[[DIV]]
// CHECK: }) {kind = "reduction"} : () -> tensor<4x8xf32>
// CHECK-NOT: ember.fusion_group
// CHECK: return %[[G]]
#id = affine_map<(d0, d1) -> (d0, d1)>
#rows = affine_map<(d0, d1) -> (d0)>
func.func @softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %fm = linalg.fill ins(%ninf : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %max = linalg.generic {indexing_maps = [#id, #rows], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x8xf32>) outs(%fm : tensor<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %m = arith.maximumf %in, %acc : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %exp = linalg.generic {indexing_maps = [#id, #rows, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %max : tensor<4x8xf32>, tensor<4xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %d = arith.subf %in, %m : f32
    %x2 = math.exp %d : f32
    linalg.yield %x2 : f32
  } -> tensor<4x8xf32>
  %fs = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #rows], iterator_types = ["parallel", "reduction"]}
      ins(%exp : tensor<4x8xf32>) outs(%fs : tensor<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %div = linalg.generic {indexing_maps = [#id, #rows, #id], iterator_types = ["parallel", "parallel"]}
      ins(%exp, %sum : tensor<4x8xf32>, tensor<4xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%in: f32, %s: f32, %out: f32):
    %q = arith.divf %in, %s : f32
    linalg.yield %q : f32
  } -> tensor<4x8xf32>
  return %div : tensor<4x8xf32>
}

// -----

// An elementwise chain is one group; a value also used after the chain ends its group (groups
// have one result), and ops that are not linalg ops stay outside.
// CHECK-LABEL: func.func @chain
// CHECK: %[[A:.*]] = "ember.fusion_group"() ({
// CHECK:   math.exp
// CHECK:   arith.negf
// CHECK: }) {kind = "elementwise"}
// CHECK: %[[B:.*]] = "ember.fusion_group"() ({
// CHECK:   arith.mulf
// CHECK: }) {kind = "elementwise"}
// CHECK: tensor.extract %[[A]]
// CHECK: return %[[B]]
#id = affine_map<(d0) -> (d0)>
func.func @chain(%x: tensor<8xf32>) -> (tensor<8xf32>, f32) {
  %c0 = arith.constant 0 : index
  %e = tensor.empty() : tensor<8xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.exp %in : f32
    linalg.yield %v : f32
  } -> tensor<8xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.negf %in : f32
    linalg.yield %v : f32
  } -> tensor<8xf32>
  %c = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%b : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.mulf %in, %in : f32
    linalg.yield %v : f32
  } -> tensor<8xf32>
  %s = tensor.extract %b[%c0] : tensor<8xf32>
  return %c, %s : tensor<8xf32>, f32
}
