// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-split-reductions{threshold=64})' | FileCheck %s

// A sum of 1024 floats: 32 running sums over [32, 32] blocks, then their sum.
// CHECK-LABEL: func.func @long_sum
// CHECK: %[[BLOCKS:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [32, 32] : tensor<1024xf32> into tensor<32x32xf32>
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<32xf32>)
// CHECK: %[[PARTIAL:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[BLOCKS]] : tensor<32x32xf32>) outs(%[[ZERO]] : tensor<32xf32>)
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[PARTIAL]] : tensor<32xf32>) outs(%{{.*}} : tensor<f32>)
#id = affine_map<(d0) -> (d0)>
#scalar = affine_map<(d0) -> ()>
func.func @long_sum(%x: tensor<1024xf32>, %init: tensor<f32>) -> tensor<f32> {
  %r = linalg.generic {indexing_maps = [#id, #scalar], iterator_types = ["reduction"]} ins(%x : tensor<1024xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// Two reduction dimensions (a mean over all of a matrix): the rows first, into 40 partial sums.
// CHECK-LABEL: func.func @two_dims
// CHECK: %[[COLUMNS:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%{{.*}} : tensor<30x40xf32>) outs(%{{.*}} : tensor<40xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[COLUMNS]] : tensor<40xf32>) outs(%{{.*}} : tensor<f32>)
#rows = affine_map<(d0, d1) -> (d0, d1)>
#none = affine_map<(d0, d1) -> ()>
func.func @two_dims(%m: tensor<30x40xf32>, %init: tensor<f32>) -> tensor<f32> {
  %r = linalg.generic {indexing_maps = [#rows, #none], iterator_types = ["reduction", "reduction"]} ins(%m : tensor<30x40xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// Softmax's denominator keeps its dim ((d0, 0)); a norm's body squares before it adds. The last
// level writes the original output with the original map, and the square stays in the first.
// CHECK-LABEL: func.func @keepdim_squares
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}], iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}} : tensor<2x32x32xf32>) outs(%{{.*}} : tensor<2x32xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.addf
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x32xf32>) outs(%{{.*}} : tensor<2x1xf32>)
#keep = affine_map<(d0, d1) -> (d0, 0)>
func.func @keepdim_squares(%x: tensor<2x1024xf32>, %init: tensor<2x1xf32>) -> tensor<2x1xf32> {
  %r = linalg.generic {indexing_maps = [#rows, #keep], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<2x1024xf32>) outs(%init : tensor<2x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %sq = arith.mulf %in, %in : f32
    %s = arith.addf %sq, %out : f32
    linalg.yield %s : f32
  } -> tensor<2x1xf32>
  return %r : tensor<2x1xf32>
}

// Left as they are: a short sum, a maximum, a prime extent, a body that reads the accumulator
// twice, a long-K matmul (its partial sums would be larger than its operands), and a
// matrix-vector product with a large matrix (a product of two inputs: its schedule's business).
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: tensor.expand_shape
// CHECK-NOT: linalg.fill
// CHECK-COUNT-6: linalg.generic
// CHECK-NOT: linalg.generic
#mk = affine_map<(d0, d1, d2) -> (d0, d2)>
#kn = affine_map<(d0, d1, d2) -> (d2, d1)>
#mn = affine_map<(d0, d1, d2) -> (d0, d1)>
#fk = affine_map<(d0, d1) -> (d0, d1)>
#k = affine_map<(d0, d1) -> (d1)>
#f = affine_map<(d0, d1) -> (d0)>
func.func @left_alone(%short: tensor<64xf32>, %long: tensor<1024xf32>, %prime: tensor<1031xf32>, %init: tensor<f32>,
                      %a: tensor<64x1024xf32>, %b: tensor<1024x64xf32>, %c: tensor<64x64xf32>,
                      %w: tensor<64x1024xf32>, %y: tensor<64xf32>)
    -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<64x64xf32>, tensor<64xf32>) {
  %0 = linalg.generic {indexing_maps = [#id, #scalar], iterator_types = ["reduction"]} ins(%short : tensor<64xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %1 = linalg.generic {indexing_maps = [#id, #scalar], iterator_types = ["reduction"]} ins(%long : tensor<1024xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.maximumf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %2 = linalg.generic {indexing_maps = [#id, #scalar], iterator_types = ["reduction"]} ins(%prime : tensor<1031xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %3 = linalg.generic {indexing_maps = [#id, #scalar], iterator_types = ["reduction"]} ins(%long : tensor<1024xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %p = arith.mulf %in, %out : f32
    %s = arith.addf %p, %out : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %4 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<64x1024xf32>, tensor<1024x64xf32>) outs(%c : tensor<64x64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %p, %out : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  %5 = linalg.generic {indexing_maps = [#fk, #k, #f], iterator_types = ["parallel", "reduction"]} ins(%w, %long : tensor<64x1024xf32>, tensor<1024xf32>) outs(%y : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %p, %out : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<64x64xf32>, tensor<64xf32>
}
