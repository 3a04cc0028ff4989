// --list-passes lists ember's passes with their summaries and options, its named pipelines,
// and the upstream passes and pipelines of the MLIR wheel.
//
// RUN: ember-opt --list-passes | FileCheck %s

// CHECK:      ember passes:
// CHECK:        ember-check-llvm-lowered {{ *}}- Fails with a located error on every op that is not in the LLVM or OpenMP dialect
// CHECK-NEXT:     max-errors=<int> (default: {{[0-9]+}})
// CHECK:      ember pipelines:
// CHECK-NEXT:   ember-cpu {{ *}}- Lowers linalg-on-tensors to LLVM-dialect IR
// CHECK:      upstream MLIR passes:
// CHECK:        canonicalize {{ *}}- Canonicalize operations
// CHECK:        one-shot-bufferize {{ *}}- One-Shot Bufferize
// CHECK:      upstream MLIR pass pipelines:
// CHECK:        buffer-deallocation-pipeline {{ *}}- The default pipeline
