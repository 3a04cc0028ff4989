// RUN: ember-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(ember-entry-point)'

// expected-error @below {{no @main, and not one public function to take instead (@forward, @backward)}}
module {
  func.func @forward(%out: memref<4xf32>) {
    return
  }
  func.func @backward(%out: memref<4xf32>) {
    return
  }
}

// -----

// expected-error @below {{@main still returns 1 value(s); run buffer-results-to-out-params first}}
func.func @main(%in: memref<4xf32>) -> memref<4xf32> {
  return %in : memref<4xf32>
}

// -----

// expected-error @below {{ember-entry-point: @main already has an arena argument}}
func.func @main(%in: memref<4xf32>, %arena: memref<?xi8> {ember.arena}) {
  return
}

// -----

// expected-error @below {{ember-entry-point: @main is private; the entry must be public}}
func.func private @main(%in: memref<4xf32>) {
  return
}
