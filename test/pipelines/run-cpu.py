# The LLVM-dialect IR that `ember-opt --pass-pipeline='builtin.module(ember-cpu)'` writes is
# what ember's CPU runtime executes: loaded from the file, JIT-compiled by the ExecutionEngine,
# called with torch tensors, and compared with torch.
#
# REQUIRES: host-supports-jit
# RUN: ember-opt %S/Inputs/matmul-bias-relu.mlir --pass-pipeline='builtin.module(ember-cpu)' -o %t.matmul.mlir
# RUN: ember-import %S/../frontend/mlp.py:make_mlp --shape 2x8 \
# RUN:   | ember-opt --pass-pipeline='builtin.module(ember-cpu)' -o %t.mlp.mlir
# RUN: %PYTHON %s %t.matmul.mlir %t.mlp.mlir %S/../frontend/mlp.py:make_mlp | FileCheck %s

import sys

import torch
from mlir import ir

from ember.dialects import new_context
from ember.runtime.jit import jit_module
from ember.runtime.lowered import abi_of
from ember.runtime.native import NativeExecutable
from ember.runtime.signature import Signature, TensorSpec
from ember.tools.ember_import import load_model


def load(path: str, input_shapes, output_shapes) -> NativeExecutable:
    """The file's entry, called through ember's ABI as ember.compile would call it."""
    signature = Signature(
        "test",
        tuple(TensorSpec(f"in{i}", shape, "float32") for i, shape in enumerate(input_shapes)),
        tuple(TensorSpec(f"out{i}", shape, "float32") for i, shape in enumerate(output_shapes)),
    )
    with new_context():
        module = ir.Module.parseFile(path)
        return jit_module(module, signature, abi_of(module), threads=1)


def print_rows(tensor: torch.Tensor) -> None:
    for row in tensor.tolist():
        print(" ".join(f"{v:g}" for v in row))


matmul_path, mlp_path, mlp_target = sys.argv[1:]

# CHECK-LABEL: TEST: matmul_bias_relu
# Small integers: every product and sum is exact in f32, so the printed result is exact.
# CHECK-NEXT:  1 0 0 0
# CHECK-NEXT:  10 18 26 34
# CHECK-NEXT:  matches torch: True
print("TEST: matmul_bias_relu")
matmul = load(matmul_path, [(2, 3), (3, 4), (4,)], [(2, 4)])
a = torch.arange(6, dtype=torch.float32).reshape(2, 3) - 2
b = torch.arange(12, dtype=torch.float32).reshape(3, 4) - 3
bias = torch.tensor([-4.0, -2.0, 0.0, 2.0])
(result,) = matmul.run([a, b, bias])
print_rows(result)
expected = torch.relu(a @ b + bias)
torch.testing.assert_close(result, expected)
print("matches torch:", torch.equal(result, expected))

# CHECK-LABEL: TEST: imported_mlp
# CHECK-NEXT:  shape: [2, 4]
# CHECK-NEXT:  matches eager: True
print("TEST: imported_mlp")
torch.manual_seed(0)  # ember-import seeds the same way: the model gets the same weights
model = load_model(mlp_target)
mlp = load(mlp_path, [(2, 8)], [(2, 4)])
x = torch.randn(2, 8)
(result,) = mlp.run([x])
print("shape:", list(result.shape))
with torch.no_grad():
    torch.testing.assert_close(result, model(x))
    print("matches eager:", torch.allclose(result, model(x), rtol=1e-5, atol=1e-5))
