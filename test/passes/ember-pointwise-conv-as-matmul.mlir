// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-pointwise-conv-as-matmul)' | FileCheck %s

// A 1x1 convolution over 4x8 pixels with a per-channel epilogue: a matmul of the transposed
// filter by the image as [N, C, 32], its fill made in that shape; the epilogue loops over the 32
// pixels too and reads the per-channel scale as before; one expand_shape at the end.
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d1)>
// CHECK-DAG: #[[IMAGE:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[CHANNEL:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @pointwise
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : tensor<1x8x4x8xf32> into tensor<1x8x32xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%{{.*}} : tensor<16x8xf32>) outs(%{{.*}} : tensor<8x16xf32>) permutation = [1, 0]
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x16x32xf32>)
// CHECK: %[[MM:.*]] = linalg.generic {indexing_maps = [#[[FILTER]], #[[IMAGE]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[T]], %[[FLAT]] : tensor<8x16xf32>, tensor<1x8x32xf32>) outs(%[[INIT]] : tensor<1x16x32xf32>)
// CHECK: %[[E:.*]] = tensor.expand_shape %[[MM]]
// CHECK: %[[BACK:.*]] = tensor.collapse_shape %[[E]]
// CHECK: %[[EPI:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CHANNEL]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[BACK]], %{{.*}} : tensor<1x16x32xf32>, tensor<16xf32>)
// CHECK: arith.mulf
// CHECK: %[[OUTPUT:.*]] = tensor.expand_shape %[[EPI]] {{\[\[}}0], [1], [2, 3]] output_shape [1, 16, 4, 8]
// CHECK: return %[[OUTPUT]]
// CHECK-NOT: linalg.conv_2d_nchw_fchw
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#channel = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @pointwise(%x: tensor<1x8x4x8xf32>, %scale: tensor<16xf32>) -> tensor<1x16x4x8xf32> {
  %w = arith.constant dense<0.5> : tensor<16x8x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x16x4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x16x4x8xf32>) -> tensor<1x16x4x8xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x8x4x8xf32>, tensor<16x8x1x1xf32>) outs(%init : tensor<1x16x4x8xf32>) -> tensor<1x16x4x8xf32>
  %z = linalg.generic {indexing_maps = [#id, #channel, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y, %scale : tensor<1x16x4x8xf32>, tensor<16xf32>) outs(%empty : tensor<1x16x4x8xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %m = arith.mulf %a, %s : f32
    linalg.yield %m : f32
  } -> tensor<1x16x4x8xf32>
  return %z : tensor<1x16x4x8xf32>
}

// -----

// A consumer that reads the product transposed (H and W apart) stays in NCHW; the product is
// still flattened.
// CHECK-LABEL: func.func @transposed_consumer
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: %[[E:.*]] = tensor.expand_shape
// CHECK: linalg.generic {{.*}} ins(%[[E]] : tensor<1x16x4x8xf32>) outs(%{{.*}} : tensor<1x16x8x4xf32>)
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#swap = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
func.func @transposed_consumer(%x: tensor<1x8x4x8xf32>, %init: tensor<1x16x4x8xf32>) -> tensor<1x16x8x4xf32> {
  %w = arith.constant dense<0.5> : tensor<16x8x1x1xf32>
  %y = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x8x4x8xf32>, tensor<16x8x1x1xf32>) outs(%init : tensor<1x16x4x8xf32>) -> tensor<1x16x4x8xf32>
  %empty = tensor.empty() : tensor<1x16x8x4xf32>
  %t = linalg.generic {indexing_maps = [#swap, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<1x16x4x8xf32>) outs(%empty : tensor<1x16x8x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x16x8x4xf32>
  return %t : tensor<1x16x8x4xf32>
}

// -----

// Left alone: a 3x3 filter, a stride of 2, and 5x5 pixels (25: no whole vectors of 16).
// CHECK-LABEL: func.func @window
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-LABEL: func.func @strided
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-LABEL: func.func @odd_image
// CHECK: linalg.conv_2d_nchw_fchw
func.func @window(%x: tensor<1x8x6x10xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<1x16x4x8xf32>) -> tensor<1x16x4x8xf32> {
  %y = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x8x6x10xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x4x8xf32>) -> tensor<1x16x4x8xf32>
  return %y : tensor<1x16x4x8xf32>
}
func.func @strided(%x: tensor<1x8x8x16xf32>, %w: tensor<16x8x1x1xf32>, %init: tensor<1x16x4x8xf32>) -> tensor<1x16x4x8xf32> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%x, %w : tensor<1x8x8x16xf32>, tensor<16x8x1x1xf32>) outs(%init : tensor<1x16x4x8xf32>) -> tensor<1x16x4x8xf32>
  return %y : tensor<1x16x4x8xf32>
}
func.func @odd_image(%x: tensor<1x8x5x5xf32>, %w: tensor<16x8x1x1xf32>, %init: tensor<1x16x5x5xf32>) -> tensor<1x16x5x5xf32> {
  %y = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x8x5x5xf32>, tensor<16x8x1x1xf32>) outs(%init : tensor<1x16x5x5xf32>) -> tensor<1x16x5x5xf32>
  return %y : tensor<1x16x5x5xf32>
}
