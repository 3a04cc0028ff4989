// --verify-diagnostics checks that every expected-* comment is met by a diagnostic on its
// line (@+N, @-N, @above, @below designators; -re for regexes) and that no other diagnostic
// is produced. Mismatches are reported, and the exit status is non-zero.
//
// RUN: ember-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(ember-check-llvm-lowered{max-errors=5})'
// RUN: sed -e 's/EXPECTED-MISSING/expected-error/' %s > %t.missing.mlir
// RUN: not ember-opt %t.missing.mlir --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(ember-check-llvm-lowered{max-errors=5})' 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: sed -e 's/expected-error @below/NOT-EXPECTED/' %s > %t.unexpected.mlir
// RUN: not ember-opt %t.unexpected.mlir --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(ember-check-llvm-lowered{max-errors=5})' 2>&1 | FileCheck %s --check-prefix=UNEXPECTED

// MISSING:    missing.mlir:[[# @LINE + 7]]:{{[0-9]+}}: error: expected error "never produced" was not produced
// MISSING-NOT: error:

// UNEXPECTED:   unexpected.mlir:[[# @LINE + 11]]:{{[0-9]+}}: error: unexpected error: 'arith.mulf' was not lowered
// UNEXPECTED-NOT: error:

llvm.func @designators(%a: f32) -> f32 {
  // EXPECTED-MISSING {{never produced}}
  %0 = arith.addf %a, %a : f32 // expected-error {{'arith.addf' was not lowered}}
  // expected-error @+1 {{'arith.subf' was not lowered}}
  %1 = arith.subf %0, %a : f32
  %2 = arith.divf %1, %a : f32
  // expected-error-re @-1 {{'arith.{{[a-z]+}}' was not lowered to the {{LLVM|llvm}} dialect}}
  // expected-error @below {{'arith.mulf' was not lowered}}
  %3 = arith.mulf %2, %a : f32
  llvm.return %3 : f32
}

// -----

// Each chunk is verified on its own.
llvm.func @second(%a: f32) -> f32 {
  %0 = arith.negf %a : f32
  // expected-error @above {{'arith.negf' was not lowered}}
  llvm.return %0 : f32
}
