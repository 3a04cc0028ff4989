// A pass that fails leaves a reproducer: the IR from before that pass and the pass itself.
// ember-opt names its path, and --run-reproducer replays it to the same error.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: env EMBER_REPRODUCER_DIR=%t not ember-opt %s --pass-pipeline='builtin.module(canonicalize,one-shot-bufferize{bufferize-function-boundaries})' 2>&1 | FileCheck %s --check-prefix=FAIL
// RUN: cat %t/*.mlir | FileCheck %s --check-prefix=FILE
// RUN: not ember-opt --run-reproducer %t/*.mlir 2>&1 | FileCheck %s --check-prefix=REPLAY

// FAIL:   reproducer.mlir:[[# @LINE + 17]]:8: error: op was not bufferized
// FAIL:   error: pass 'one-shot-bufferize' failed on reproducer.mlir
// FAIL:   reproducer: [[PATH:.*]].mlir
// FAIL:   replay it with: ember-opt --run-reproducer [[PATH]].mlir

// The reproducer starts from the IR before the failing pass: canonicalize already ran.
// FILE:   // ember-reproducer pipeline: builtin.module(one-shot-bufferize{bufferize-function-boundaries})
// FILE:   func.func @group(
// FILE-NOT: arith.constant
// FILE:   "ember.fusion_group"

// REPLAY: reproducer.mlir:[[# @LINE + 6]]:8: error: op was not bufferized
// REPLAY: error: pass 'one-shot-bufferize' failed

// Bufferization knows nothing of ember's fusion groups: they must be dissolved first.
func.func @group(%x: tensor<4xf32>) -> tensor<4xf32> {
  %unused = arith.constant 1.0 : f32
  %0 = "ember.fusion_group"(%x) ({
  ^bb0(%gx: tensor<4xf32>):
    %init = tensor.empty() : tensor<4xf32>
    %neg = linalg.negf ins(%gx : tensor<4xf32>) outs(%init : tensor<4xf32>) -> tensor<4xf32>
    gpu.yield %neg : tensor<4xf32>
  }) {kind = "elementwise"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
