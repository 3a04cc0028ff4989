// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-fuse-elementwise{weight-copies=1})' | FileCheck %s
// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-fuse-elementwise)' | FileCheck %s --check-prefix=OFF

// A weight broadcast to a batch matmul (torch's matmul of a 3-D input by a weight): the
// contraction reads the [64, 192] constant itself, no [16, 64, 192] copy is made per call.
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-LABEL: func.func @broadcast_weight
// CHECK-NOT: outs(%{{.*}} : tensor<16x64x192xf32>)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[W]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %[[CST:.*]] : tensor<16x?x64xf32>, tensor<64x192xf32>)
// OFF-LABEL: func.func @broadcast_weight
// OFF: tensor<16x64x192xf32>
#bcast_in = affine_map<(d0, d1, d2) -> (d1, d2)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#a = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
func.func @broadcast_weight(%x: tensor<16x?x64xf32>, %init: tensor<16x?x192xf32>) -> tensor<16x?x192xf32> {
  %w = arith.constant dense<1.0> : tensor<64x192xf32>
  %e = tensor.empty() : tensor<16x64x192xf32>
  %bw = linalg.generic {indexing_maps = [#bcast_in, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%w : tensor<64x192xf32>) outs(%e : tensor<16x64x192xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<16x64x192xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %bw : tensor<16x?x64xf32>, tensor<16x64x192xf32>) outs(%init : tensor<16x?x192xf32>) {
  ^bb0(%in: f32, %in_w: f32, %out: f32):
    %m = arith.mulf %in, %in_w : f32
    %s = arith.addf %out, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x?x192xf32>
  return %r : tensor<16x?x192xf32>
}

// -----

// An activation broadcast into a reduction stays a copy: a strided read inside the reduction
// would cost every step, and only weights are worth reading in place.
// CHECK-LABEL: func.func @broadcast_activation
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<64x192xf32>) outs(%{{.*}} : tensor<16x64x192xf32>)
#bcast_in2 = affine_map<(d0, d1, d2) -> (d1, d2)>
#id32 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#a2 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#b2 = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
#c2 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
func.func @broadcast_activation(%x: tensor<16x?x64xf32>, %y: tensor<64x192xf32>, %init: tensor<16x?x192xf32>) -> tensor<16x?x192xf32> {
  %e = tensor.empty() : tensor<16x64x192xf32>
  %by = linalg.generic {indexing_maps = [#bcast_in2, #id32], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%y : tensor<64x192xf32>) outs(%e : tensor<16x64x192xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<16x64x192xf32>
  %r = linalg.generic {indexing_maps = [#a2, #b2, #c2], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %by : tensor<16x?x64xf32>, tensor<16x64x192xf32>) outs(%init : tensor<16x?x192xf32>) {
  ^bb0(%in: f32, %in_y: f32, %out: f32):
    %m = arith.mulf %in, %in_y : f32
    %s = arith.addf %out, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x?x192xf32>
  return %r : tensor<16x?x192xf32>
}
