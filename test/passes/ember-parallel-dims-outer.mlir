// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-parallel-dims-outer)' | FileCheck %s

// A sum over the row dim of row blocks (what ember-split-reductions makes): the reduction
// (d0) moves inside the parallel dim (d1); the maps follow, and linalg.index is renumbered.
// CHECK-DAG:   #[[IN:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG:   #[[OUT:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @column_sums
// CHECK:       linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "reduction"]}
// CHECK:         linalg.index 1 : index
func.func @column_sums(%x: tensor<400x250xf32>, %init: tensor<250xf32>) -> tensor<250xf32> {
  %sum = linalg.generic {
      indexing_maps = [affine_map<(r, c) -> (r, c)>, affine_map<(r, c) -> (c)>],
      iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<400x250xf32>) outs(%init : tensor<250xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = linalg.index 0 : index
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<250xf32>
  return %sum : tensor<250xf32>
}

// -----

// Parallel dims already outside: unchanged.
// CHECK-LABEL: func.func @row_sums
// CHECK:       iterator_types = ["parallel", "reduction"]
// CHECK:       linalg.index 1 : index
func.func @row_sums(%x: tensor<8x16xf32>, %init: tensor<8xf32>) -> tensor<8xf32> {
  %sum = linalg.generic {
      indexing_maps = [affine_map<(r, c) -> (r, c)>, affine_map<(r, c) -> (r)>],
      iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<8x16xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %c = linalg.index 1 : index
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %sum : tensor<8xf32>
}
