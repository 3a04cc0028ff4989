// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-fold-constants)' | FileCheck %s

// torch-mlir's per-call transpose of a Linear weight becomes a transposed constant.
// CHECK-LABEL: func.func @transpose_weight
// CHECK-SAME: (%[[X:.*]]: tensor<1x2xf32>)
// CHECK: %[[W:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00, 7.000000e+00], [2.000000e+00, 5.000000e+00, 8.000000e+00]]> : tensor<2x3xf32>
// CHECK-NOT: linalg.transpose
// CHECK: linalg.matmul ins(%[[X]], %[[W]] :
func.func @transpose_weight(%x: tensor<1x2xf32>) -> tensor<1x3xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<[[1.0, 2.0], [4.0, 5.0], [7.0, 8.0]]> : tensor<3x2xf32>
  %e = tensor.empty() : tensor<2x3xf32>
  %t = linalg.transpose ins(%w : tensor<3x2xf32>) outs(%e : tensor<2x3xf32>) permutation = [1, 0]
  %o = tensor.empty() : tensor<1x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%o : tensor<1x3xf32>) -> tensor<1x3xf32>
  %m = linalg.matmul ins(%x, %t : tensor<1x2xf32>, tensor<2x3xf32>) outs(%f : tensor<1x3xf32>) -> tensor<1x3xf32>
  return %m : tensor<1x3xf32>
}

// Batch norm's weight-only chain, 1 / sqrt(var + eps) with torch-mlir's assert, then a
// reshape, folds to one constant; the scalar eps is read from outside the body.
// CHECK-LABEL: func.func @batch_norm_scale
// CHECK-NEXT: %[[S:.*]] = arith.constant dense<{{\[}}[5.000000e-01], [2.500000e-01]]> : tensor<2x1xf32>
// CHECK-NEXT: return %[[S]]
func.func @batch_norm_scale() -> tensor<2x1xf32> {
  %one = arith.constant 1.0 : f32
  %zero = arith.constant 0.0 : f32
  %eps = arith.constant 0.0 : f64
  %var = arith.constant dense<[4.0, 16.0]> : tensor<2xf32>
  %e = tensor.empty() : tensor<2xf32>
  %plus = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%var : tensor<2xf32>) outs(%e : tensor<2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.truncf %eps : f64 to f32
    %a = arith.addf %in, %t : f32
    linalg.yield %a : f32
  } -> tensor<2xf32>
  %inv = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%plus : tensor<2xf32>) outs(%e : tensor<2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.sqrt %in : f32
    %nz = arith.cmpf one, %s, %zero : f32
    cf.assert %nz, "unimplemented: tensor with zero element"
    %d = arith.divf %one, %s : f32
    linalg.yield %d : f32
  } -> tensor<2xf32>
  %r = tensor.expand_shape %inv [[0, 1]] output_shape [2, 1] : tensor<2xf32> into tensor<2x1xf32>
  return %r : tensor<2x1xf32>
}

// Broadcasting indexing maps (a constant 0 index, a missing dim) fold too when the
// result is no larger than the inputs.
// CHECK-LABEL: func.func @broadcast_inputs
// CHECK-NEXT: arith.constant dense<{{\[}}[1.100000e+01, 2.100000e+01], [1.200000e+01, 2.200000e+01]]> : tensor<2x2xf32>
func.func @broadcast_inputs() -> tensor<2x2xf32> {
  %a = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %b = arith.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %e = tensor.empty() : tensor<2x2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (0, d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<1x2xf32>, tensor<2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}

// Not folded: an operand that is an argument.
// CHECK-LABEL: func.func @runtime_operand
// CHECK: linalg.transpose
func.func @runtime_operand(%x: tensor<3x2xf32>) -> tensor<2x3xf32> {
  %e = tensor.empty() : tensor<2x3xf32>
  %t = linalg.transpose ins(%x : tensor<3x2xf32>) outs(%e : tensor<2x3xf32>) permutation = [1, 0]
  return %t : tensor<2x3xf32>
}

// Not folded: a dense_resource weight, whose bytes the bindings cannot read.
// CHECK-LABEL: func.func @resource_weight
// CHECK: linalg.transpose ins(%{{.*}} : tensor<3x2xf32>)
func.func @resource_weight() -> tensor<2x3xf32> {
  %w = arith.constant dense_resource<blob> : tensor<3x2xf32>
  %e = tensor.empty() : tensor<2x3xf32>
  %t = linalg.transpose ins(%w : tensor<3x2xf32>) outs(%e : tensor<2x3xf32>) permutation = [1, 0]
  return %t : tensor<2x3xf32>
}

// Not folded: a bias broadcast to the batch would grow past the weights (max-growth=1).
// CHECK-LABEL: func.func @growing_broadcast
// CHECK: linalg.broadcast
func.func @growing_broadcast() -> tensor<4x2xf32> {
  %b = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %e = tensor.empty() : tensor<4x2xf32>
  %r = linalg.broadcast ins(%b : tensor<2xf32>) outs(%e : tensor<4x2xf32>) dimensions = [0]
  return %r : tensor<4x2xf32>
}

// Not folded: an assertion that fails on the constants stays for run time.
// CHECK-LABEL: func.func @failing_assert
// CHECK: cf.assert
func.func @failing_assert() -> tensor<2xf32> {
  %zero = arith.constant 0.0 : f32
  %v = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %e = tensor.empty() : tensor<2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%v : tensor<2xf32>) outs(%e : tensor<2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %nz = arith.cmpf one, %in, %zero : f32
    cf.assert %nz, "zero"
    linalg.yield %in : f32
  } -> tensor<2xf32>
  return %r : tensor<2xf32>
}

// Not folded: a body that reads its init (an accumulation).
// CHECK-LABEL: func.func @reads_init
// CHECK: linalg.generic
func.func @reads_init() -> tensor<2xf32> {
  %v = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %init = arith.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%v : tensor<2xf32>) outs(%init : tensor<2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  return %r : tensor<2xf32>
}

// Batch norm after a convolution, (conv - mean) * scale + bias per output channel, folds into
// the weights (W * scale) and an init of bias - mean * scale.
// CHECK-LABEL: func.func @conv_batch_norm
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x3x3xf32>)
// CHECK-NOT: linalg.fill
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[-1.000000e+00, 5.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00, 2.000000e+00], [2.000000e+00, 2.000000e+00]]], {{\[\[\[}}3.000000e+00, 3.000000e+00], [3.000000e+00, 3.000000e+00]]]]> : tensor<2x1x2x2xf32>
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[B]] : tensor<2xf32>) outs(%{{.*}} : tensor<1x2x2x2xf32>) dimensions = [0, 2, 3]
// CHECK: %[[CONV:.*]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[X]], %[[W]] : {{.*}}) outs(%[[INIT]] : tensor<1x2x2x2xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[CONV]]
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#channel = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
func.func @conv_batch_norm(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x2x2xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<1.0> : tensor<2x1x2x2xf32>
  %mean = arith.constant dense<[[[1.0]], [[-1.0]]]> : tensor<2x1x1xf32>
  %scale = arith.constant dense<[[[2.0]], [[3.0]]]> : tensor<2x1x1xf32>
  %bias = arith.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x1x3x3xf32>, tensor<2x1x2x2xf32>) outs(%f : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %s = linalg.generic {indexing_maps = [#id4, #channel, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c, %mean : tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) outs(%e : tensor<1x2x2x2xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %r = arith.subf %in, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x2x2xf32>
  %p = linalg.generic {indexing_maps = [#id4, #channel, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %scale : tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) outs(%e : tensor<1x2x2x2xf32>) {
  ^bb0(%in: f32, %k: f32, %out: f32):
    %r = arith.mulf %in, %k : f32
    linalg.yield %r : f32
  } -> tensor<1x2x2x2xf32>
  %a = linalg.generic {indexing_maps = [#id4, #channel, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%p, %bias : tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) outs(%e : tensor<1x2x2x2xf32>) {
  ^bb0(%in: f32, %b: f32, %out: f32):
    %r = arith.addf %in, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x2x2xf32>
  return %a : tensor<1x2x2x2xf32>
}

// Not folded into the convolution: `c - conv` (not of the form conv <op> c).
// CHECK-LABEL: func.func @conv_reversed_subtract
// CHECK: linalg.fill
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK: arith.subf
func.func @conv_reversed_subtract(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x2x2xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<1.0> : tensor<2x1x2x2xf32>
  %mean = arith.constant dense<[[[1.0]], [[-1.0]]]> : tensor<2x1x1xf32>
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x1x3x3xf32>, tensor<2x1x2x2xf32>) outs(%f : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %s = linalg.generic {indexing_maps = [#id4, #channel, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c, %mean : tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) outs(%e : tensor<1x2x2x2xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %r = arith.subf %m, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x2x2x2xf32>
  return %s : tensor<1x2x2x2xf32>
}

// A 0-d constant stays 0-d when it is folded.
// CHECK-LABEL: func.func @zero_d
// CHECK-NEXT: %[[C:.*]] = arith.constant dense<-2.500000e+00> : tensor<f32>
// CHECK-NEXT: return %[[C]] : tensor<f32>
func.func @zero_d() -> tensor<f32> {
  %c = arith.constant dense<2.5> : tensor<f32>
  %e = tensor.empty() : tensor<f32>
  %n = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []}
      ins(%c : tensor<f32>) outs(%e : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.negf %in : f32
    linalg.yield %0 : f32
  } -> tensor<f32>
  return %n : tensor<f32>
}
