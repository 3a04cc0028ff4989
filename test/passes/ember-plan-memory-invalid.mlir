// RUN: ember-opt %s --verify-diagnostics --pass-pipeline='builtin.module(ember-plan-memory)'

// Buffers to place but no arena to place them in: the pass names the pass that adds it.
// expected-error @below {{ember-plan-memory: 1 intermediate buffer(s) to place but no arena argument ({ember.arena}); run ember-entry-point first}}
func.func @main(%arg0: memref<4xf32>, %out: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  linalg.copy ins(%arg0 : memref<4xf32>) outs(%a : memref<4xf32>)
  linalg.copy ins(%a : memref<4xf32>) outs(%out : memref<4xf32>)
  memref.dealloc %a : memref<4xf32>
  return
}
