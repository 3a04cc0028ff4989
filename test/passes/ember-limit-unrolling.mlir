// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-limit-unrolling{vector-bits=256 max-registers=64})' | FileCheck %s
// RUN: ember-opt %s --pass-pipeline='builtin.module(ember-limit-unrolling{vector-bits=256 max-registers=64},convert-scf-to-cf,finalize-memref-to-llvm,convert-vector-to-llvm,convert-arith-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts)' | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVM

// A row loop over <768 x double>: 96 + 192 + 192 AVX2 registers per trip, marked; the mark
// reaches LLVM IR as llvm.loop.unroll.disable on the back edge.
// CHECK: #[[UNROLL:.*]] = #llvm.loop_unroll<disable = true>
// CHECK: #[[NO_UNROLL:.*]] = #llvm.loop_annotation<unroll = #[[UNROLL]]>
// CHECK-LABEL: func.func @wide
// CHECK: scf.for
// CHECK: } {loop_annotation = #[[NO_UNROLL]]}
// LLVM-LABEL: define void @wide
// LLVM: br label %{{.*}}, !llvm.loop ![[LOOP:[0-9]+]]
// LLVM: ![[LOOP]] = distinct !{![[LOOP]], ![[DISABLE:[0-9]+]]}
// LLVM: ![[DISABLE]] = !{!"llvm.loop.unroll.disable"}
func.func @wide(%src: memref<128x768xf32>, %dst: memref<128x768xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  scf.for %i = %c0 to %c128 step %c1 {
    %row = vector.load %src[%i, %c0] : memref<128x768xf32>, vector<768xf32>
    %wide = arith.extf %row : vector<768xf32> to vector<768xf64>
    vector.store %wide, %dst[%i, %c0] : memref<128x768xf64>, vector<768xf64>
  }
  return
}

// Negative: a body of a few registers (a matmul step) and an outer loop whose work is in the
// loop it holds stay LLVM's to unroll.
// CHECK-LABEL: func.func @narrow
// CHECK-NOT: loop_annotation
// CHECK: return
func.func @narrow(%src: memref<128x768xf32>, %dst: memref<128x768xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c128 = arith.constant 128 : index
  %c768 = arith.constant 768 : index
  scf.for %i = %c0 to %c128 step %c1 {
    scf.for %j = %c0 to %c768 step %c16 {
      %v = vector.load %src[%i, %j] : memref<128x768xf32>, vector<16xf32>
      %w = arith.addf %v, %v : vector<16xf32>
      vector.store %w, %dst[%i, %j] : memref<128x768xf32>, vector<16xf32>
    }
  }
  return
}
