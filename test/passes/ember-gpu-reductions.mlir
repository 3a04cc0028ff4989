// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-gpu-reductions)' | FileCheck %s

// Three sums of 4096 along the innermost dim: a block of 256 threads per sum, each thread a
// strided partial in a register, a tree in shared memory (8 steps, a barrier after each),
// thread 0 adds the total into the output.
// CHECK-LABEL: func.func @few_long_sums
// CHECK:       scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%c3{{.*}})
// CHECK:         scf.parallel (%[[T:.*]]) = (%{{.*}}) to (%c256{{.*}})
// CHECK:           %[[SHARED:.*]] = memref.alloc() {ember.workgroup} : memref<256xf32, #gpu.address_space<workgroup>>
// CHECK:           %[[P:.*]] = scf.for %[[R:.*]] = %[[T]] to %c4096{{.*}} step %c256{{.*}} iter_args(%[[ACC:.*]] = %cst{{.*}}) -> (f32)
// CHECK:             %[[X:.*]] = memref.load %arg0[%[[B]], %[[R]]]
// CHECK:             %[[S:.*]] = arith.addf %[[ACC]], %[[X]]
// CHECK:             scf.yield %[[S]]
// CHECK:           memref.store %[[P]], %[[SHARED]][%[[T]]]
// CHECK-COUNT-8:   gpu.barrier
// CHECK:           scf.if
// CHECK:             memref.load %[[SHARED]]
// CHECK:             memref.store %{{.*}}, %arg1[%[[B]]]
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK:       } {mapping = [#gpu.loop_dim_map<processor = block_x
func.func @few_long_sums(%x: memref<3x4096xf32>, %out: memref<3xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4096 = arith.constant 4096 : index
  scf.parallel (%i) = (%c0) to (%c3) step (%c1) {
    scf.for %r = %c0 to %c4096 step %c1 {
      %v = memref.load %x[%i, %r] : memref<3x4096xf32>
      %acc = memref.load %out[%i] : memref<3xf32>
      %s = arith.addf %acc, %v : f32
      memref.store %s, %out[%i] : memref<3xf32>
    }
    scf.reduce
  }
  return
}

// -----

// Many short maxima: one thread each, the accumulator in a register (one load, one store).
// CHECK-LABEL: func.func @many_short_maxima
// CHECK:       scf.parallel
// CHECK:         %[[INIT:.*]] = memref.load %arg1[%{{.*}}]
// CHECK:         %[[M:.*]] = scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32)
// CHECK:           arith.maximumf %[[ACC]], %{{.*}}
// CHECK-NOT:       memref.store
// CHECK:         }
// CHECK:         memref.store %[[M]], %arg1[%{{.*}}]
// CHECK-NOT:   gpu.barrier
func.func @many_short_maxima(%x: memref<4096x64xf32>, %out: memref<4096xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c4096 = arith.constant 4096 : index
  scf.parallel (%i) = (%c0) to (%c4096) step (%c1) {
    scf.for %r = %c0 to %c64 step %c1 {
      %v = memref.load %x[%i, %r] : memref<4096x64xf32>
      %acc = memref.load %out[%i] : memref<4096xf32>
      %m = arith.maximumf %acc, %v : f32
      memref.store %m, %out[%i] : memref<4096xf32>
    }
    scf.reduce
  }
  return
}

// -----

// The output read elsewhere in the loop (not a reduction into it alone): left as it is.
// CHECK-LABEL: func.func @not_a_reduction
// CHECK:       scf.for
// CHECK-NOT:     iter_args
// CHECK:         memref.load %arg1
func.func @not_a_reduction(%x: memref<8x8xf32>, %out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    scf.for %r = %c0 to %c8 step %c1 {
      %w = memref.load %out[%r] : memref<8xf32>
      %v = memref.load %x[%i, %r] : memref<8x8xf32>
      %p = arith.mulf %v, %w : f32
      %acc = memref.load %out[%i] : memref<8xf32>
      %s = arith.addf %acc, %p : f32
      memref.store %s, %out[%i] : memref<8xf32>
    }
    scf.reduce
  }
  return
}

// -----

// A convolution's nest of reduction loops (channels, window): the accumulator in a register
// through all of them, after the fill (the prologue) and before the relu (the epilogue).
// CHECK-LABEL: func.func @conv_nest
// CHECK:       scf.parallel
// CHECK:         memref.store %{{.*}}, %arg2[
// CHECK:         %[[INIT:.*]] = memref.load %arg2[
// CHECK:         %[[C:.*]] = scf.for {{.*}} iter_args(%[[A0:.*]] = %[[INIT]]) -> (f32)
// CHECK:           %[[W:.*]] = scf.for {{.*}} iter_args(%[[A1:.*]] = %[[A0]]) -> (f32)
// CHECK:             arith.addf %[[A1]]
// CHECK:           scf.yield %[[W]]
// CHECK:         memref.store %[[C]], %arg2[
// CHECK:         arith.maximumf
func.func @conv_nest(%x: memref<2x10xf32>, %w: memref<4x2x3xf32>, %out: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%f, %o) = (%c0, %c0) to (%c4, %c8) step (%c1, %c1) {
    memref.store %zero, %out[%f, %o] : memref<4x8xf32>
    scf.for %c = %c0 to %c2 step %c1 {
      scf.for %k = %c0 to %c3 step %c1 {
        %p = arith.addi %o, %k : index
        %v = memref.load %x[%c, %p] : memref<2x10xf32>
        %u = memref.load %w[%f, %c, %k] : memref<4x2x3xf32>
        %acc = memref.load %out[%f, %o] : memref<4x8xf32>
        %m = arith.mulf %v, %u : f32
        %s = arith.addf %acc, %m : f32
        memref.store %s, %out[%f, %o] : memref<4x8xf32>
      }
    }
    %r = memref.load %out[%f, %o] : memref<4x8xf32>
    %relu = arith.maximumf %r, %zero : f32
    memref.store %relu, %out[%f, %o] : memref<4x8xf32>
    scf.reduce
  }
  return
}

// -----

// A scatter-add: the element added into is picked inside the loop (by an index it loads), so
// it is not one accumulator: left as it is (the fuzzer's fuzz_scatter_add).
// CHECK-LABEL: func.func @scatter_add
// CHECK:       scf.for
// CHECK-NOT:     iter_args
// CHECK:         memref.load %arg2
func.func @scatter_add(%src: memref<2xf32>, %idx: memref<2xindex>, %out: memref<1x1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.parallel (%i) = (%c0) to (%c1) step (%c1) {
    scf.for %r = %c0 to %c2 step %c1 {
      %v = memref.load %src[%r] : memref<2xf32>
      %j = memref.load %idx[%r] : memref<2xindex>
      %acc = memref.load %out[%j, %i] : memref<1x1xf32>
      %s = arith.addf %acc, %v : f32
      memref.store %s, %out[%j, %i] : memref<1x1xf32>
    }
    scf.reduce
  }
  return
}
