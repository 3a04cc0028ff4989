// ember-opt reads a file or stdin and writes stdout or -o FILE; --mlir-print-debuginfo prints
// locations (the file's own for a file, "-" for stdin).
//
// RUN: ember-opt %s | FileCheck %s
// RUN: ember-opt < %s | FileCheck %s
// RUN: ember-opt %s -o %t && FileCheck %s --input-file %t
// RUN: ember-opt %s --mlir-print-debuginfo | FileCheck %s --check-prefix=DEBUGINFO

// CHECK-LABEL: func.func @id(
// CHECK-SAME:     %[[X:.*]]: i32) -> i32
// CHECK-NEXT:    return %[[X]] : i32

// DEBUGINFO: return %{{.*}} : i32 loc(#[[RET:loc[0-9]*]])
// DEBUGINFO: #[[RET]] = loc("{{.*}}input-output.mlir":[[# @LINE + 3]]:3)

func.func @id(%x: i32) -> i32 {
  return %x : i32
}
