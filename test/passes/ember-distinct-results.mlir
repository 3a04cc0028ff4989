// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-distinct-results)' | FileCheck %s

// A value returned twice: the second result becomes a copy.
// CHECK-LABEL: func.func @twice
// CHECK: %[[Y:.*]] = arith.addf
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[C:.*]] = linalg.copy {{.*}}ins(%[[Y]] : tensor<4xf32>) outs(%[[E]] : tensor<4xf32>)
// CHECK: return %[[Y]], %[[C]]
func.func @twice(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %y = arith.addf %x, %x : tensor<4xf32>
  return %y, %y : tensor<4xf32>, tensor<4xf32>
}

// An argument returned as is: a copy too.
// CHECK-LABEL: func.func @passthrough
// CHECK: %[[C:.*]] = linalg.copy {{.*}}ins(%arg0 : tensor<2x3xf32>)
// CHECK: return %[[C]]
func.func @passthrough(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  return %x : tensor<2x3xf32>
}

// Distinct results and private functions are left alone.
// CHECK-LABEL: func.func @distinct
// CHECK-NOT: linalg.copy
// CHECK: return
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: linalg.copy
func.func @distinct(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %y = arith.addf %x, %x : tensor<4xf32>
  %z = arith.mulf %x, %x : tensor<4xf32>
  return %y, %z : tensor<4xf32>, tensor<4xf32>
}
func.func private @helper(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  return %x, %x : tensor<4xf32>, tensor<4xf32>
}
