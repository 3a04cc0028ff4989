// --split-input-file: each `// -----` chunk is parsed and transformed on its own; the outputs
// are joined by `// -----`; an error in one chunk is reported with the line number of the
// whole file and does not stop the others, but the exit status says that one failed.
//
// RUN: not ember-opt %s --split-input-file --pass-pipeline='builtin.module(canonicalize)' -o %t 2> %t.err
// RUN: FileCheck %s --input-file %t
// RUN: FileCheck %s --input-file %t.err --check-prefix=ERR

// CHECK-LABEL: func.func @first
// CHECK-NOT:     arith.addi
// CHECK:         return
// CHECK:       // -----
// CHECK-LABEL: func.func @third
// CHECK-NOT:   func.func @second

// ERR: split-input-file.mlir:[[# @LINE + 12]]:23: error: use of undeclared SSA value name
// ERR-NOT: error

func.func @first() -> i32 {
  %c1 = arith.constant 1 : i32
  %0 = arith.addi %c1, %c1 : i32
  return %0 : i32
}

// -----

func.func @second(%x: i32) -> i32 {
  %0 = arith.addi %x, %y : i32
  return %0 : i32
}

// -----

func.func @third(%x: i32) -> i32 {
  return %x : i32
}
