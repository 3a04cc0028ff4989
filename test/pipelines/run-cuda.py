# Every kernel that `ember-cuda` makes of the test graphs assembles with ptxas (it runs
# without a GPU), for sm_80 and sm_90: the PTX is read from the gpu.binary ops of ember-opt's
# output and handed to ptxas from the nvidia-cuda-nvcc wheel (the test extra installs it; under
# CI its absence fails the run, see lit.cfg.py).
#
# REQUIRES: ptxas
# RUN: ember-opt %S/Inputs/matmul-bias-relu.mlir --pass-pipeline='builtin.module(ember-cuda{chip=sm_80})' -o %t.sm80.mlir
# RUN: ember-opt %S/Inputs/matmul-bias-relu.mlir --pass-pipeline='builtin.module(ember-cuda{chip=sm_90})' -o %t.sm90.mlir
# RUN: ember-import %S/../frontend/mlp.py:make_mlp --shape 2x8 \
# RUN:   | ember-opt --pass-pipeline='builtin.module(ember-cuda{chip=sm_90})' -o %t.mlp.mlir
# RUN: %PYTHON %s sm_80 %t.sm80.mlir sm_90 %t.sm90.mlir sm_90 %t.mlp.mlir | FileCheck %s

# CHECK: sm_80 {{.*}}.sm80.mlir: [[N:[0-9]+]] kernels assembled
# CHECK: sm_90 {{.*}}.sm90.mlir: [[N]] kernels assembled
# CHECK: sm_90 {{.*}}.mlp.mlir: {{[0-9]+}} kernels assembled

import subprocess
import sys
import tempfile

from mlir import ir
from mlir.dialects import gpu

from ember.dialects import new_context
from ember.runtime.cuda_toolkit import ptxas

arguments = sys.argv[1:]
for chip, path in zip(arguments[::2], arguments[1::2]):
    with new_context(), open(path) as f:
        module = ir.Module.parse(f.read())
        binaries = [op for op in module.body.operations if op.operation.name == "gpu.binary"]
        for binary in binaries:
            ptx = gpu.ObjectAttr(ir.ArrayAttr(binary.attributes["objects"])[0]).object
            with tempfile.NamedTemporaryFile(suffix=".ptx") as source:
                source.write(ptx)
                source.flush()
                done = subprocess.run([ptxas(), f"-arch={chip}", source.name, "-o", "/dev/null"],
                                      capture_output=True, text=True)
                if done.returncode:
                    sys.exit(f"ptxas failed on {binary.attributes['sym_name']}: {done.stderr}")
    print(f"{chip} {path}: {len(binaries)} kernels assembled")
