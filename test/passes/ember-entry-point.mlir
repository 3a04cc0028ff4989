// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(ember-entry-point)' | FileCheck %s

// The entry takes the context's arena and thread count after its inputs and outputs, keeps a
// status slot that starts at 0, and returns it; it gets its C interface and its ABI name. No
// buffer aliases another (llvm.noalias).
// CHECK-LABEL: func.func @ember_entry(
// CHECK-SAME:      %[[IN:[^:]*]]: memref<4xf32> {llvm.noalias}, %[[OUT:[^:]*]]: memref<4xf32> {llvm.noalias},
// CHECK-SAME:      %{{.*}}: memref<?xi8> {ember.arena, llvm.noalias}, %{{.*}}: i32 {ember.threads}) -> i32
// CHECK-SAME:      attributes {ember.entry, llvm.emit_c_interface}
// CHECK:         %[[STATUS:.*]] = memref.alloca() {ember.status} : memref<i32>
// CHECK:         %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK:         memref.store %[[ZERO]], %[[STATUS]][] : memref<i32>
// CHECK-NOT:     ompc_set_num_threads
// CHECK:         memref.copy %[[IN]], %[[OUT]]
// CHECK:         %[[CODE:.*]] = memref.load %[[STATUS]][] : memref<i32>
// CHECK:         return %[[CODE]] : i32
func.func @main(%in: memref<4xf32>, %out: memref<4xf32>) {
  memref.copy %in, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// Parallel loops run on the context's thread count: the entry sets it first. Helper functions
// are left alone.
// CHECK: func.func private @ompc_set_num_threads(i32)
// CHECK-LABEL: func.func @ember_entry(
// CHECK-SAME:      %[[THREADS:[^:]*]]: i32 {ember.threads}) -> i32
// CHECK:         call @ompc_set_num_threads(%[[THREADS]]) : (i32) -> ()
// CHECK:         scf.forall
// CHECK-LABEL: func.func private @helper() {
// CHECK-NEXT:    return
func.func @main(%out: memref<4xf32>) {
  %c = arith.constant 1.0 : f32
  scf.forall (%i) in (4) {
    memref.store %c, %out[%i] : memref<4xf32>
  }
  return
}
func.func private @helper() {
  return
}

// -----

// Without @main, the module's only public function is the entry.
// CHECK-LABEL: func.func @ember_entry(%{{.*}}: memref<2xf32> {llvm.noalias}, %{{.*}}: memref<?xi8> {ember.arena, llvm.noalias}
// CHECK-LABEL: func.func private @declared
func.func @matmul(%out: memref<2xf32>) {
  return
}
func.func private @declared(i32)
