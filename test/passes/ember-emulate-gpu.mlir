// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-emulate-gpu)' | FileCheck %s
// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-emulate-gpu{public-kernels=1})' | FileCheck %s --check-prefix=PUBLIC

// With public-kernels, the emulated kernels are public (the cuda runtime's HostKernels calls them).
// PUBLIC: func.func @kernels_reverse(
// PUBLIC: func.func @kernels_tiles(

// A block reverses 4 values through shared memory: each thread stores its element, the
// barrier, each thread loads its mirror. Emulated, the grid is a loop nest (z, y, x), the
// workgroup buffer one alloca per block, and the barrier splits the threads' loops in two;
// the thread's global index, computed before the barrier and used after it, is kept per thread.
// CHECK-NOT:   gpu.module
// CHECK-LABEL: func.func @entry
// CHECK:       call @kernels_reverse(%{{.*}}, %c2, %c1, %c1, %c4, %c1, %c1)
// CHECK-LABEL: func.func private @kernels_reverse
// CHECK-SAME:    (%[[BUF:.*]]: memref<8xf32>, %[[GX:.*]]: index, %[[GY:.*]]: index, %[[GZ:.*]]: index, %[[BX:.*]]: index, %[[BY:.*]]: index, %[[BZ:.*]]: index)
// CHECK:       %[[SHARED:.*]] = memref.alloca() : memref<4xf32>
// CHECK:       %[[KEPT:.*]] = memref.alloca(%{{.*}}) : memref<?xindex>
// CHECK:       scf.for %{{.*}} = %{{.*}} to %[[GZ]]
// CHECK:         scf.for %{{.*}} = %{{.*}} to %[[GY]]
// CHECK:           scf.for %[[BLOCK:.*]] = %{{.*}} to %[[GX]]
// CHECK:             scf.for
// CHECK:               scf.for
// CHECK:                 scf.for %[[T:.*]] = %{{.*}} to %[[BX]]
// CHECK:                   %[[BASE:.*]] = arith.muli %[[BLOCK]], %[[BX]]
// CHECK:                   %[[I:.*]] = arith.addi %[[BASE]], %[[T]]
// CHECK:                   memref.load %[[BUF]][%[[I]]]
// CHECK:                   memref.store %{{.*}}, %[[SHARED]][%[[T]]]
// CHECK:                   memref.store %[[I]], %[[KEPT]][%{{.*}}]
// CHECK:             scf.for
// CHECK:               scf.for
// CHECK:                 scf.for %[[T2:.*]] = %{{.*}} to %[[BX]]
// CHECK:                   %[[I2:.*]] = memref.load %[[KEPT]][%{{.*}}]
// CHECK:                   %[[M:.*]] = arith.subi %{{.*}}, %[[T2]]
// CHECK:                   %[[V:.*]] = memref.load %[[SHARED]][%[[M]]]
// CHECK:                   memref.store %[[V]], %[[BUF]][%[[I2]]]
module attributes {gpu.container_module} {
  func.func @entry(%buf: memref<8xf32>) {
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c4 = arith.constant 4 : index
    gpu.launch_func @kernels::@reverse blocks in (%c2, %c1, %c1) threads in (%c4, %c1, %c1) args(%buf : memref<8xf32>)
    return
  }
  gpu.module @kernels {
    gpu.func @reverse(%buf: memref<8xf32>) workgroup(%shared: memref<4xf32, #gpu.address_space<workgroup>>) kernel {
      %c3 = arith.constant 3 : index
      %b = gpu.block_id x
      %t = gpu.thread_id x
      %n = gpu.block_dim x
      %base = arith.muli %b, %n : index
      %i = arith.addi %base, %t : index
      %v = memref.load %buf[%i] : memref<8xf32>
      memref.store %v, %shared[%t] : memref<4xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      %mirror = arith.subi %c3, %t : index
      %w = memref.load %shared[%mirror] : memref<4xf32, #gpu.address_space<workgroup>>
      memref.store %w, %buf[%i] : memref<8xf32>
      gpu.return
    }
  }
}

// -----

// A loop with barriers (a k-tile loop) runs once for the block: the thread loops inside it,
// one per run between its barriers; its induction variable is the block's.
// CHECK-LABEL: func.func private @kernels_tiles
// CHECK:       scf.for %[[BLOCK:.*]] =
// CHECK:         scf.for %[[K0:.*]] = %{{.*}} to %c64 step %c16
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               scf.for %[[T:.*]] =
// CHECK:                 arith.addi %[[K0]], %[[T]]
// CHECK:                 memref.store
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               scf.for
// CHECK:                 memref.load
module attributes {gpu.container_module} {
  func.func @entry(%buf: memref<64xf32>, %out: memref<16xf32>) {
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    gpu.launch_func @kernels::@tiles blocks in (%c1, %c1, %c1) threads in (%c16, %c1, %c1) args(%buf : memref<64xf32>, %out : memref<16xf32>)
    return
  }
  gpu.module @kernels {
    gpu.func @tiles(%buf: memref<64xf32>, %out: memref<16xf32>) workgroup(%shared: memref<16xf32, #gpu.address_space<workgroup>>) kernel {
      %c0 = arith.constant 0 : index
      %c15 = arith.constant 15 : index
      %c16 = arith.constant 16 : index
      %c64 = arith.constant 64 : index
      %t = gpu.thread_id x
      scf.for %k0 = %c0 to %c64 step %c16 {
        %i = arith.addi %k0, %t : index
        %v = memref.load %buf[%i] : memref<64xf32>
        memref.store %v, %shared[%t] : memref<16xf32, #gpu.address_space<workgroup>>
        gpu.barrier
        %m = arith.subi %c15, %t : index
        %w = memref.load %shared[%m] : memref<16xf32, #gpu.address_space<workgroup>>
        %o = memref.load %out[%t] : memref<16xf32>
        %s = arith.addf %o, %w : f32
        memref.store %s, %out[%t] : memref<16xf32>
        gpu.barrier
      }
      gpu.return
    }
  }
}
