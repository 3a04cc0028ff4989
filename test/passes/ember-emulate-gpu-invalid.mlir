// RUN: ember-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(ember-emulate-gpu)'

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @guarded(%buf: memref<8xf32>, %flag: i1) kernel {
      // expected-error @below {{ember-emulate-gpu: a gpu.barrier inside 'scf.if' is not emulated}}
      scf.if %flag {
        gpu.barrier
      }
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @shuffled(%buf: memref<32xf32>) kernel {
      %t = gpu.thread_id x
      %c1 = arith.constant 1 : i32
      %c32 = arith.constant 32 : i32
      %v = memref.load %buf[%t] : memref<32xf32>
      // expected-error @below {{ember-emulate-gpu: 'gpu.shuffle' is not emulated}}
      %s, %ok = gpu.shuffle xor %v, %c1, %c32 : f32
      memref.store %s, %buf[%t] : memref<32xf32>
      gpu.return
    }
  }
}
