// RUN: ember-opt %s --verify-diagnostics --pass-pipeline='builtin.module(ember-runtime-checks)'

// Asserts in a module that has no entry point yet: nowhere to report them.
// expected-error @below {{ember-runtime-checks: asserts but no entry; run ember-entry-point first}}
module {
  func.func @main(%c: i1) {
    cf.assert %c, "a check"
    return
  }
}
