// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-tile-and-vectorize{vector-bits=256 vector-registers=16})' | FileCheck %s

// Rows that no block height divides (7, on AVX2 where blocks are 4 rows of 2 registers): the
// block is all 7 rows, one register wide (7 FMA chains, each weight load serving 7 FMAs), not
// one row of 2 registers that waits on FMA latency.
// CHECK-LABEL: func.func @seven_rows
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<7x8xf32>)
// CHECK: vector.fma {{.*}} : vector<8xf32>
func.func @seven_rows(%x: tensor<7x64xf32>, %w: tensor<64x64xf32>) -> tensor<7x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<7x64xf32>
  %g = "ember.fusion_group"() ({
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<7x64xf32>) -> tensor<7x64xf32>
    %m = linalg.matmul ins(%x, %w : tensor<7x64xf32>, tensor<64x64xf32>) outs(%f : tensor<7x64xf32>) -> tensor<7x64xf32>
    gpu.yield %m : tensor<7x64xf32>
  }) {kind = "contraction"} : () -> tensor<7x64xf32>
  return %g : tensor<7x64xf32>
}

// -----

// More rows than accumulators, which no block height divides (14, ResNet's 14x14 layers): blocks
// of the tallest height that divides them and fits (7 rows x 1 register), not 2 rows x 4
// registers, which load every weight once per 2 rows.
// CHECK-LABEL: func.func @fourteen_rows
// CHECK: iter_args(%{{.*}} = %{{.*}}) -> (vector<7x8xf32>)
// CHECK: vector.fma {{.*}} : vector<8xf32>
func.func @fourteen_rows(%x: tensor<14x64xf32>, %w: tensor<64x64xf32>) -> tensor<14x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<14x64xf32>
  %g = "ember.fusion_group"() ({
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<14x64xf32>) -> tensor<14x64xf32>
    %m = linalg.matmul ins(%x, %w : tensor<14x64xf32>, tensor<64x64xf32>) outs(%f : tensor<14x64xf32>) -> tensor<14x64xf32>
    gpu.yield %m : tensor<14x64xf32>
  }) {kind = "contraction"} : () -> tensor<14x64xf32>
  return %g : tensor<14x64xf32>
}

// -----

// Rows that a block height divides (8 = 2 x 4) keep blocks of 4 rows x 2 registers.
// CHECK-LABEL: func.func @eight_rows
// CHECK: iter_args(%{{.*}} = %{{.*}}) -> (vector<4x16xf32>)
// CHECK: vector.fma {{.*}} : vector<16xf32>
func.func @eight_rows(%x: tensor<8x64xf32>, %w: tensor<64x64xf32>) -> tensor<8x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %g = "ember.fusion_group"() ({
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
    %m = linalg.matmul ins(%x, %w : tensor<8x64xf32>, tensor<64x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32>
    gpu.yield %m : tensor<8x64xf32>
  }) {kind = "contraction"} : () -> tensor<8x64xf32>
  return %g : tensor<8x64xf32>
}

// -----

// More rows than accumulators (11, prime): one row, 8 registers wide.
// CHECK-LABEL: func.func @eleven_rows
// CHECK: iter_args(%{{.*}} = %{{.*}}) -> (vector<1x64xf32>)
// CHECK: vector.fma {{.*}} : vector<64xf32>
func.func @eleven_rows(%x: tensor<11x64xf32>, %w: tensor<64x64xf32>) -> tensor<11x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<11x64xf32>
  %g = "ember.fusion_group"() ({
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<11x64xf32>) -> tensor<11x64xf32>
    %m = linalg.matmul ins(%x, %w : tensor<11x64xf32>, tensor<64x64xf32>) outs(%f : tensor<11x64xf32>) -> tensor<11x64xf32>
    gpu.yield %m : tensor<11x64xf32>
  }) {kind = "contraction"} : () -> tensor<11x64xf32>
  return %g : tensor<11x64xf32>
}

// -----

// A convolution (channels inner) whose weights (8x3x3x32, 9 KB) outweigh its image (1 KB): the
// column (output channel) blocks are the outermost loop, so that the weights are read once, a
// column panel at a time, and the image once per panel.
// CHECK-LABEL: func.func @weights_outweigh_image
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c16
// CHECK-NEXT: scf.for %{{.*}} = %c0 to %c4 step %c1
#i = affine_map<(n, oh, ow, f, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, oh, ow, f, c, kh, kw) -> (c, kh, kw, f)>
#o = affine_map<(n, oh, ow, f, c, kh, kw) -> (n, f, oh, ow)>
func.func @weights_outweigh_image(%x: tensor<1x8x6x6xf32>, %w: tensor<8x3x3x32xf32>) -> tensor<1x32x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x32x4x4xf32>
  %g = "ember.fusion_group"() ({
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x32x4x4xf32>) -> tensor<1x32x4x4xf32>
    %r = linalg.generic {indexing_maps = [#i, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
        ins(%x, %w : tensor<1x8x6x6xf32>, tensor<8x3x3x32xf32>) outs(%f : tensor<1x32x4x4xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    } -> tensor<1x32x4x4xf32>
    gpu.yield %r : tensor<1x32x4x4xf32>
  }) {kind = "contraction"} : () -> tensor<1x32x4x4xf32>
  return %g : tensor<1x32x4x4xf32>
}

// -----

// Negative: its image (1x8x18x18, 10 KB) outweighs the weights: output rows stay outermost, and
// the weights are read once per output row.
// CHECK-LABEL: func.func @image_outweighs_weights
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK-NEXT: scf.for %{{.*}} = %c0 to %c32 step %c16
#i = affine_map<(n, oh, ow, f, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, oh, ow, f, c, kh, kw) -> (c, kh, kw, f)>
#o = affine_map<(n, oh, ow, f, c, kh, kw) -> (n, f, oh, ow)>
func.func @image_outweighs_weights(%x: tensor<1x8x18x18xf32>, %w: tensor<8x3x3x32xf32>) -> tensor<1x32x16x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x32x16x16xf32>
  %g = "ember.fusion_group"() ({
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x32x16x16xf32>) -> tensor<1x32x16x16xf32>
    %r = linalg.generic {indexing_maps = [#i, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
        ins(%x, %w : tensor<1x8x18x18xf32>, tensor<8x3x3x32xf32>) outs(%f : tensor<1x32x16x16xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    } -> tensor<1x32x16x16xf32>
    gpu.yield %r : tensor<1x32x16x16xf32>
  }) {kind = "contraction"} : () -> tensor<1x32x16x16xf32>
  return %g : tensor<1x32x16x16xf32>
}
