// RUN: ember-opt %s --verify-diagnostics --pass-pipeline='builtin.module(ember-seal-buffer-islands)'

// The tensor is read before the loop that fills its buffer: sealing it behind the loop would
// change what that read sees, so the pass fails at the to_tensor.
func.func @read_before_filled(%i: index, %v: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %a = memref.alloc() : memref<4xf32>
  // expected-error @+1 {{this tensor is used by 'tensor.extract' before the loops that fill its buffer end}}
  %t = bufferization.to_tensor %a : memref<4xf32> to tensor<4xf32>
  %early = tensor.extract %t[%i] : tensor<4xf32>
  scf.for %j = %c0 to %c4 step %c1 {
    memref.store %v, %a[%j] : memref<4xf32>
  }
  return %early : f32
}
