// RUN: ember-opt %s --verify-diagnostics --pass-pipeline='builtin.module(ember-gpu-workgroup-memory)'

func.func @outside(%out: memref<32xf32>) {
  // expected-error @below {{ember-gpu-workgroup-memory: a ember.workgroup buffer must be in #gpu.address_space<workgroup> and inside a gpu.launch}}
  %shared = memref.alloc() {ember.workgroup} : memref<32xf32, #gpu.address_space<workgroup>>
  return
}
