# ember-import on a small MLP: the torch backend IR, linalg-on-tensors, and the linalg fed on
# to ember-opt's CPU pipeline.
#
# RUN: ember-import %s:make_mlp --shape 2x8 --stage torch | FileCheck %s --check-prefix=TORCH
# RUN: ember-import %s:make_mlp --shape 2x8 | FileCheck %s --check-prefix=LINALG
# RUN: ember-import %s:make_mlp --shape 2x8 | ember-opt --pass-pipeline='builtin.module(ember-cpu)' | FileCheck %s --check-prefix=LLVM

# TORCH-LABEL: func.func @main(
# TORCH-SAME:     %[[X:.*]]: !torch.vtensor<[2,8],f32>) -> !torch.vtensor<[2,4],f32>
# TORCH:         torch.aten.mm %[[X]], %{{.*}} : !torch.vtensor<[2,8],f32>, !torch.vtensor<[8,16],f32> -> !torch.vtensor<[2,16],f32>
# TORCH:         torch.aten.relu %{{.*}} : !torch.vtensor<[2,16],f32>
# TORCH:         torch.aten.mm %{{.*}}, %{{.*}} : !torch.vtensor<[2,16],f32>, !torch.vtensor<[16,4],f32>

# LINALG-LABEL: func.func @main(
# LINALG-SAME:     %[[X:[a-z0-9]+]]: tensor<2x8xf32>{{.*}}) -> tensor<2x4xf32>
# LINALG-NOT:    torch.
# LINALG:        linalg.matmul ins(%[[X]], %{{.*}} : tensor<2x8xf32>, tensor<8x16xf32>)
# LINALG:        arith.cmpf ugt
# LINALG:        linalg.matmul ins(%{{.*}} : tensor<2x16xf32>, tensor<16x4xf32>)
# LINALG:        return %{{.*}} : tensor<2x4xf32>

# LLVM-LABEL: llvm.func @ember_entry(
# LLVM-NOT:    linalg.
# LLVM:        llvm.store
# LLVM:        llvm.return

from torch import nn


def make_mlp():
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
