// --print-ir-after-all, --print-ir-before=NAME and --print-ir-after=NAME print the IR around
// passes to stderr, ember and upstream passes alike; stdout keeps the result.
//
// RUN: ember-opt %s --pass-pipeline='builtin.module(func.func(linalg-generalize-named-ops),canonicalize)' --print-ir-after-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=ALL
// RUN: ember-opt %s --pass-pipeline='builtin.module(func.func(linalg-generalize-named-ops),canonicalize)' --print-ir-before=linalg-generalize-named-ops -o /dev/null 2>&1 | FileCheck %s --check-prefix=BEFORE
// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-cpu,ember-check-llvm-lowered)' --print-ir-after=one-shot-bufferize --print-ir-after=ember-check-llvm-lowered -o /dev/null 2>&1 | FileCheck %s --check-prefix=AFTER

// ALL:      IR Dump After linalg-generalize-named-ops
// ALL-NOT:  linalg.matmul
// ALL:      linalg.generic
// ALL:      IR Dump After canonicalize
// ALL-NOT:  IR Dump

// BEFORE:     IR Dump Before linalg-generalize-named-ops
// BEFORE:     linalg.matmul
// BEFORE-NOT: IR Dump

// AFTER:      IR Dump After one-shot-bufferize
// AFTER:      func.func @matmul(%{{.*}}: memref<2x3xf32
// AFTER:      IR Dump After ember-check-llvm-lowered
// AFTER:      llvm.func @ember_entry
// AFTER-NOT:  IR Dump

func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<2x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>) outs(%fill : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
