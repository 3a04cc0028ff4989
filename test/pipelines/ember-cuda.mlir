// `ember-cuda`, stage by stage, each run alone on the previous stage's IR: a matmul + bias +
// relu becomes one kernel (the fill and the epilogue fused into the 16x16 shared-memory tiles),
// launched by a host entry that only names buffers; the ptx stage makes it PTX for the chip.
//
// RUN: ember-opt %S/Inputs/matmul-bias-relu.mlir --pass-pipeline='builtin.module(ember-cuda-fuse)' \
// RUN:   | ember-opt --pass-pipeline='builtin.module(ember-cuda-map)' -o %t.mapped.mlir
// RUN: FileCheck %s --check-prefix=MAPPED < %t.mapped.mlir
// RUN: ember-opt %t.mapped.mlir --pass-pipeline='builtin.module(ember-cuda-ptx{chip=sm_90})' | FileCheck %s --check-prefix=PTX
// The whole pipeline in one go gives the same.
// RUN: ember-opt %S/Inputs/matmul-bias-relu.mlir --pass-pipeline='builtin.module(ember-cuda{chip=sm_90})' | FileCheck %s --check-prefix=PTX

// MAPPED-LABEL: func.func @ember_entry(
// MAPPED-SAME:     %{{.*}}: memref<?xi8> {ember.arena, llvm.noalias}, %{{.*}}: i32 {ember.threads}) -> i32
// MAPPED:         %[[STATUS:.*]] = memref.view
// MAPPED:         gpu.launch_func @[[INIT:.*]]::@{{.*}} blocks in ({{.*}}) threads in ({{.*}}) args(%[[STATUS]] : memref<i32>)
// MAPPED:         gpu.launch_func @[[KERNEL:.*]]::@{{.*}} threads in (%c16{{.*}}, %c16{{.*}}, %c1{{.*}})
// MAPPED-NOT:     gpu.launch_func
// MAPPED:         %[[S:.*]] = memref.load %[[STATUS]][]
// MAPPED:         return %[[S]]
// MAPPED:       gpu.module @[[KERNEL]]
// MAPPED:         gpu.func {{.*}} workgroup({{.*}}#gpu.address_space<workgroup>{{.*}}) kernel
// MAPPED:           gpu.barrier
// MAPPED:           arith.maximumf

// PTX:       gpu.binary @{{.*}} [#gpu.object<#nvvm.target<chip = "sm_90">, {{.*}}assembly = "{{.*}}.target sm_90{{.*}}.entry
// PTX:       gpu.binary @{{.*}} [#gpu.object<#nvvm.target<chip = "sm_90">, {{.*}}assembly = "{{.*}}.shared{{.*}}bar.sync
// PTX-NOT:   gpu.module
