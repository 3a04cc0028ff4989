// RUN: ember-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(ember-gpu-host-kernels)'

// torch.cond around kernels: its flag is in device memory, which the host does not read.
func.func @branch(%flag: memref<i8>, %in: memref<4xf32>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %byte = memref.load %flag[] : memref<i8>
  %taken = arith.trunci %byte : i8 to i1
  // expected-error @below {{scf.if (torch.cond or torch.while_loop): the device targets do not compile control flow yet}}
  scf.if %taken {
    scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
      %v = memref.load %in[%i] : memref<4xf32>
      memref.store %v, %out[%i] : memref<4xf32>
      scf.reduce
    }
  }
  return
}

// -----

// torch.cond over 0-d tensors: no kernel inside, but a load and a store of device memory.
func.func @scalar_branch(%flag: memref<i8>, %in: memref<f32>, %out: memref<f32>) {
  %byte = memref.load %flag[] : memref<i8>
  %taken = arith.trunci %byte : i8 to i1
  // expected-error @below {{scf.if (torch.cond or torch.while_loop): the device targets do not compile control flow yet}}
  scf.if %taken {
    %v = memref.load %in[] : memref<f32>
    memref.store %v, %out[] : memref<f32>
  }
  return
}
