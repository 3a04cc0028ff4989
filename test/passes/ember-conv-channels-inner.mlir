// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-conv-channels-inner)' | FileCheck %s

// A stride-2 NCHW convolution with a constant filter: loops (n, oh, ow, f, c, kh, kw), the
// filter read transposed to [C, KH, KW, F], the NCHW output written unchanged.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d1 * 2 + d5, d2 * 2 + d6)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3, d1, d2)>
// CHECK-LABEL: func.func @conv
// CHECK: %[[T:.*]] = linalg.transpose ins(%{{.*}} : tensor<32x16x3x3xf32>) outs(%{{.*}} : tensor<16x3x3x32xf32>) permutation = [1, 2, 3, 0]
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[FILTER]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%{{.*}}, %[[T]] : tensor<1x16x17x17xf32>, tensor<16x3x3x32xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @conv(%x: tensor<1x16x17x17xf32>, %init: tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32> {
  %w = arith.constant dense<0.5> : tensor<32x16x3x3xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%x, %w : tensor<1x16x17x17xf32>, tensor<32x16x3x3xf32>) outs(%init : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
  return %y : tensor<1x32x8x8xf32>
}

// -----

// Left alone: a filter computed at run time, and output channels that fill no register.
// CHECK-LABEL: func.func @not_constant
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-LABEL: func.func @few_channels
// CHECK: linalg.conv_2d_nchw_fchw
func.func @not_constant(%x: tensor<1x16x10x10xf32>, %w: tensor<32x16x3x3xf32>, %init: tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32> {
  %y = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x16x10x10xf32>, tensor<32x16x3x3xf32>) outs(%init : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
  return %y : tensor<1x32x8x8xf32>
}
func.func @few_channels(%x: tensor<1x16x10x10xf32>, %init: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  %w = arith.constant dense<0.5> : tensor<3x16x3x3xf32>
  %y = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x16x10x10xf32>, tensor<3x16x3x3xf32>) outs(%init : tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  return %y : tensor<1x3x8x8xf32>
}
