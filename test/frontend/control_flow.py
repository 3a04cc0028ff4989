# ember-import on torch.cond and torch.while_loop: structured control flow inside one module,
# each branch or body inlined in its region, not a call of a Python-dispatched graph.
#
# RUN: ember-import %s:gate --shape 4 --stage torch | FileCheck %s --check-prefix=TORCH-IF
# RUN: ember-import %s:gate --shape 4 | FileCheck %s --check-prefix=IF
# RUN: ember-import %s:doubling --shape 4 --shape scalar --dtype float32 --dtype int64 --stage torch | FileCheck %s --check-prefix=TORCH-LOOP
# RUN: ember-import %s:doubling --shape 4 --shape scalar --dtype float32 --dtype int64 | FileCheck %s --check-prefix=LOOP
# RUN: ember-import %s:doubling --shape 4 --shape scalar --dtype float32 --dtype int64 | ember-opt --pass-pipeline='builtin.module(ember-cpu)' | FileCheck %s --check-prefix=LLVM

# TORCH-IF:      %[[FLAG:.*]] = torch.aten.Bool.Tensor
# TORCH-IF:      torch.prim.If %[[FLAG]] -> (!torch.vtensor<[4],f32>)
# TORCH-IF:        torch.aten.relu
# TORCH-IF:        torch.prim.If.yield
# TORCH-IF:      } else {
# TORCH-IF:        torch.aten.exp
# TORCH-IF-NOT:  func.call

# IF:       %[[FLAG:.*]] = tensor.extract %{{.*}}[] : tensor<i1>
# IF:       scf.if %[[FLAG]] -> (tensor<4xf32>)
# IF:         arith.select
# IF:         scf.yield
# IF:       } else {
# IF:         math.exp
# IF:         scf.yield
# IF-NOT:   func.func private

# The loop's bound `n` is read from above, not carried: only (i, t) are the loop's state.
# TORCH-LOOP:      func.func @main(%{{.*}}: !torch.vtensor<[4],f32>, %[[N:.*]]: !torch.vtensor<[],si64>)
# TORCH-LOOP:      torch.prim.Loop %{{.*}}, %{{.*}}, init(%{{.*}}, %{{.*}}) {
# TORCH-LOOP-NEXT: ^bb0(%{{.*}}: !torch.int, %{{.*}}: !torch.vtensor<[],si64>, %{{.*}}: !torch.vtensor<[4],f32>):
# TORCH-LOOP:        torch.aten.lt.Tensor %{{.*}}, %[[N]]
# TORCH-LOOP:        torch.prim.Loop.condition

# LOOP:       scf.while ({{.*}}) : (i1, tensor<i64>, tensor<4xf32>) -> (tensor<i64>, tensor<4xf32>)
# LOOP:         scf.condition
# LOOP:       } do {
# LOOP:         arith.mulf
# LOOP:         scf.yield

# LLVM-LABEL: llvm.func @ember_entry(
# LLVM-NOT:   scf.while
# LLVM:       llvm.cond_br

import torch


def gate(x):
    return torch.cond(x.sum() > 0, lambda h: h.relu() * 2, lambda h: h.exp(), (x,))


def doubling(x, n):
    _, y = torch._higher_order_ops.while_loop(lambda i, t: i < n, lambda i, t: (i + 1, t * 2 + 1),
                                              (torch.zeros((), dtype=torch.int64), x))
    return y
