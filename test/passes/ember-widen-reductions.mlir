// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-widen-reductions)' | FileCheck %s

// A bf16 row sum: the init extended to f32, each element extended before it is added, the sum
// truncated back once.
// CHECK-LABEL: func.func @bf16_sum
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<4xbf16>) outs(%{{.*}} : tensor<4xf32>)
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<4x3000xbf16>) outs(%[[INIT]] : tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: bf16, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[WIDE:.*]] = arith.extf %[[IN]] : bf16 to f32
// CHECK-NEXT: %[[NEXT:.*]] = arith.addf %[[WIDE]], %[[ACC]] : f32
// CHECK-NEXT: linalg.yield %[[NEXT]] : f32
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<4xf32>) outs(%{{.*}} : tensor<4xbf16>)
// CHECK: arith.truncf %{{.*}} : f32 to bf16
#rows = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @bf16_sum(%x: tensor<4x3000xbf16>, %init: tensor<4xbf16>) -> tensor<4xbf16> {
  %r = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x3000xbf16>) outs(%init : tensor<4xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %s = arith.addf %in, %out : bf16
    linalg.yield %s : bf16
  } -> tensor<4xbf16>
  return %r : tensor<4xbf16>
}

// An f16 sum of squares: the square stays in f16 (as eager computes it), the sum in f32.
// CHECK-LABEL: func.func @f16_squares
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%{{.*}} : tensor<100xf16>) outs(%{{.*}} : tensor<f32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f16, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[SQ:.*]] = arith.mulf %[[IN]], %[[IN]] : f16
// CHECK-NEXT: %[[WIDE:.*]] = arith.extf %[[SQ]] : f16 to f32
// CHECK-NEXT: arith.addf %[[WIDE]], %[[ACC]] : f32
#all = affine_map<(d0) -> (d0)>
#none = affine_map<(d0) -> ()>
func.func @f16_squares(%x: tensor<100xf16>, %init: tensor<f16>) -> tensor<f16> {
  %r = linalg.generic {indexing_maps = [#all, #none], iterator_types = ["reduction"]} ins(%x : tensor<100xf16>) outs(%init : tensor<f16>) {
  ^bb0(%in: f16, %out: f16):
    %sq = arith.mulf %in, %in : f16
    %s = arith.addf %sq, %out : f16
    linalg.yield %s : f16
  } -> tensor<f16>
  return %r : tensor<f16>
}

// Left alone: an f32 sum, an f16 maximum (exact in any width).
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: arith.extf
// CHECK-NOT: arith.truncf
// CHECK: return
func.func @left_alone(%a: tensor<100xf32>, %ia: tensor<f32>, %b: tensor<100xf16>, %ib: tensor<f16>) -> (tensor<f32>, tensor<f16>) {
  %0 = linalg.generic {indexing_maps = [#all, #none], iterator_types = ["reduction"]} ins(%a : tensor<100xf32>) outs(%ia : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %1 = linalg.generic {indexing_maps = [#all, #none], iterator_types = ["reduction"]} ins(%b : tensor<100xf16>) outs(%ib : tensor<f16>) {
  ^bb0(%in: f16, %out: f16):
    %s = arith.maximumf %in, %out : f16
    linalg.yield %s : f16
  } -> tensor<f16>
  return %0, %1 : tensor<f32>, tensor<f16>
}
