// A pipeline that names an unknown pass, or gives an ember pass a bad option, is rejected
// before anything runs, with a message saying what was wrong; the exit status is non-zero.
//
// RUN: not ember-opt %s --pass-pipeline='builtin.module(no-such-pass)' 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not ember-opt %s --pass-pipeline='builtin.module(ember-check-llvm-lowered{max-errors=many})' 2>&1 | FileCheck %s --check-prefix=VALUE
// RUN: not ember-opt %s --pass-pipeline='builtin.module(ember-check-llvm-lowered{no-such-option=1})' 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not ember-opt %s --pass-pipeline='builtin.module(canonicalize' 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not ember-opt %s --pass-pipeline='builtin.module(func.func(ember-expand-exp))' 2>&1 | FileCheck %s --check-prefix=NESTED

// UNKNOWN: ember-opt: error: unknown pass or bad options in 'no-such-pass'
// UNKNOWN: ember-opt --list-passes lists the passes
// VALUE:   ember-opt: error: option 'max-errors' of 'ember-check-llvm-lowered': expected a value of type int, got 'many'
// OPTION:  ember-opt: error: 'ember-check-llvm-lowered' has no option 'no-such-option'; its options are: max-errors
// SYNTAX:  ember-opt: error: bad pass pipeline: expected ')'
// NESTED:  ember-opt: error: 'func.func(ember-expand-exp)': ember passes run on the whole module; write 'ember-expand-exp' at module level

func.func @id(%x: i32) -> i32 {
  return %x : i32
}
