// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-plan-memory)' | FileCheck %s

// Three intermediates in a chain: %a and %c are never live together and share offset 0; %b,
// live beside both, gets the next 64-byte slot. They are views of the caller's arena argument,
// whose size the plan records on the function. Their deallocs go.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: %[[ARENA:[^:]*]]: memref<?xi8> {ember.arena}
// CHECK-SAME: attributes {ember.arena_size = 128 : i64}
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%[[C0]]][] : memref<?xi8> to memref<4xf32>
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%[[C64]]][] : memref<?xi8> to memref<4xf32>
// CHECK: linalg.copy ins(%[[A]] : memref<4xf32>) outs(%[[B]] : memref<4xf32>)
// CHECK: %[[C0B:.*]] = arith.constant 0 : index
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%[[C0B]]][] : memref<?xi8> to memref<4xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
// CHECK: return
func.func @chain(%arg0: memref<4xf32>, %out: memref<4xf32>, %arena: memref<?xi8> {ember.arena}) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
  linalg.copy ins(%arg0 : memref<4xf32>) outs(%a : memref<4xf32>)
  %b = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
  linalg.copy ins(%a : memref<4xf32>) outs(%b : memref<4xf32>)
  %c = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
  linalg.copy ins(%b : memref<4xf32>) outs(%c : memref<4xf32>)
  linalg.copy ins(%c : memref<4xf32>) outs(%out : memref<4xf32>)
  memref.dealloc %a : memref<4xf32>
  memref.dealloc %b : memref<4xf32>
  memref.dealloc %c : memref<4xf32>
  return
}

// A use through a view, inside a loop, keeps the buffer live until that loop ends: %d and %e
// overlap and get separate slots.
// CHECK-LABEL: func.func @aliased
// CHECK-SAME: attributes {ember.arena_size = 128 : i64}
// CHECK-COUNT-2: memref.view
// CHECK-NOT: memref.alloc
func.func @aliased(%arg0: memref<4xf32>, %out: memref<2xf32>, %arena: memref<?xi8> {ember.arena}) {
  %d = memref.alloc() : memref<4xf32>
  linalg.copy ins(%arg0 : memref<4xf32>) outs(%d : memref<4xf32>)
  %half = memref.subview %d[0] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1]>>
  %e = memref.alloc() : memref<2xf32>
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c2 step %c1 {
    %v = memref.load %half[%i] : memref<2xf32, strided<[1]>>
    memref.store %v, %e[%i] : memref<2xf32>
  }
  linalg.copy ins(%e : memref<2xf32>) outs(%out : memref<2xf32>)
  return
}

// Left to malloc: a returned buffer, a dynamic shape, and an alloc inside a loop; the arena
// needs no bytes.
// CHECK-LABEL: func.func @not_planned
// CHECK-SAME: attributes {ember.arena_size = 0 : i64}
// CHECK: memref.alloc() : memref<4xf32>
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: scf.for
// CHECK-NEXT: memref.alloc() : memref<8xf32>
// CHECK-NOT: memref.view
func.func @not_planned(%n: index, %arena: memref<?xi8> {ember.arena}) -> memref<4xf32> {
  %r = memref.alloc() : memref<4xf32>
  %dyn = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %dyn : memref<?xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %scratch = memref.alloc() : memref<8xf32>
    memref.dealloc %scratch : memref<8xf32>
  }
  return %r : memref<4xf32>
}

// A function without an arena argument and nothing to place is left as it was.
// CHECK-LABEL: func.func @no_arena
// CHECK-NOT: ember.arena_size
// CHECK: return
func.func @no_arena(%out: memref<4xf32>) {
  return
}
