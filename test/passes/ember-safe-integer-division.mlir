// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-safe-integer-division)' | FileCheck %s

// A signed remainder: zero is an error; 0 and -1 divisors become 1; by -1 the result is 0.
// CHECK-LABEL: func.func @remainder
// CHECK: %[[Z:.*]] = arith.cmpi eq, %[[D:.*]], %{{.*}} : i64
// CHECK: cf.assert %{{.*}}, "ember: integer division by zero"
// CHECK: %[[M:.*]] = arith.cmpi eq, %[[D]], %{{.*}} : i64
// CHECK: %[[BAD:.*]] = arith.ori %[[Z]], %[[M]] : i1
// CHECK: %[[SAFE:.*]] = arith.select %[[BAD]], %{{.*}}, %[[D]] : i64
// CHECK: %[[R:.*]] = arith.remsi %{{.*}}, %[[SAFE]] : i64
// CHECK: arith.select %[[M]], %{{.*}}, %[[R]] : i64
func.func @remainder(%a: i64, %d: i64) -> i64 {
  %r = arith.remsi %a, %d : i64
  return %r : i64
}

// torch-mlir's floor division through f64 becomes an integer floordivsi (then guarded; by -1: 0 - a).
// CHECK-LABEL: func.func @floor_through_f64
// CHECK-NOT: arith.fptosi
// CHECK: cf.assert
// CHECK: %[[Q:.*]] = arith.floordivsi %[[A:.*]], %{{.*}} : i64
// CHECK: %[[NEG:.*]] = arith.subi %{{.*}}, %[[A]] : i64
// CHECK: arith.select %{{.*}}, %[[NEG]], %[[Q]] : i64
func.func @floor_through_f64(%a: i64, %b: i64) -> i64 {
  %x = arith.sitofp %a : i64 to f64
  %y = arith.sitofp %b : i64 to f64
  %q = arith.divf %x, %y : f64
  %f = math.floor %q : f64
  %r = arith.fptosi %f : f64 to i64
  return %r : i64
}

// Unsigned: only zero matters. A constant divisor other than 0 and -1 is left alone.
// CHECK-LABEL: func.func @safe_ones
// CHECK: cf.assert
// CHECK-NOT: arith.ori
// CHECK: arith.divui
// CHECK-NOT: cf.assert
// CHECK: arith.divsi %{{.*}}, %c3_i32
func.func @safe_ones(%a: i32, %d: i32) -> (i32, i32) {
  %u = arith.divui %a, %d : i32
  %c3 = arith.constant 3 : i32
  %s = arith.divsi %a, %c3 : i32
  return %u, %s : i32, i32
}
