// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-pad-to-copy)' | FileCheck %s

// A zero-padded convolution input: a fill of the padded shape, a copy of the source into the
// slice at the low padding, and that slice inserted back.
// CHECK-LABEL: func.func @pad
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x8x8xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<1x4x10x11xf32>)
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[FILL]][0, 0, 1, 2] [1, 4, 8, 8] [1, 1, 1, 1]
// CHECK: %[[COPY:.*]] = linalg.copy {{.*}}ins(%[[X]] : tensor<1x4x8x8xf32>) outs(%[[SLICE]] : tensor<1x4x8x8xf32>)
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %[[COPY]] into %[[FILL]][0, 0, 1, 2] [1, 4, 8, 8] [1, 1, 1, 1]
// CHECK: return %[[PADDED]]
// CHECK-NOT: tensor.pad
func.func @pad(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x10x11xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 2] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x4x8x8xf32> to tensor<1x4x10x11xf32>
  return %p : tensor<1x4x10x11xf32>
}

// -----

// Left alone: dynamic sizes, and a padding value computed from the indices.
// CHECK-LABEL: func.func @dynamic
// CHECK: tensor.pad
// CHECK-LABEL: func.func @per_element
// CHECK: tensor.pad
func.func @dynamic(%x: tensor<?x8xf32>) -> tensor<?x10xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1] high[0, 1] {
  ^bb0(%a: index, %b: index):
    tensor.yield %zero : f32
  } : tensor<?x8xf32> to tensor<?x10xf32>
  return %p : tensor<?x10xf32>
}
func.func @per_element(%x: tensor<8xf32>) -> tensor<10xf32> {
  %p = tensor.pad %x low[1] high[1] {
  ^bb0(%a: index):
    %i = arith.index_cast %a : index to i32
    %f = arith.sitofp %i : i32 to f32
    tensor.yield %f : f32
  } : tensor<8xf32> to tensor<10xf32>
  return %p : tensor<10xf32>
}
