"""The cuda target without a GPU: every test model's kernels assemble with ptxas for sm_80 and
sm_90, with the parameters the launch plan passes; the same mapped kernels, run on the host
(`cuda-emulated`), give eager's numbers; the artifact saves and loads without the compiler."""

import os
import re
import subprocess
import sys

import pytest
import torch
from torch import nn

import ember
from ember.runtime.cuda_toolkit import ptxas
from models import EncoderBlock, SmallCNN, init_batch_norm, seed_mlp


def _cnn():
    net = SmallCNN().eval()
    init_batch_norm(net.bn)
    return net


def _softmax_tanh(x):
    return torch.softmax(torch.tanh(x) * 3, dim=-1) + torch.sin(x)


MODELS = {
    "mlp-b1": (seed_mlp, lambda: (torch.randn(1, 512),)),
    "mlp-b64": (seed_mlp, lambda: (torch.randn(64, 512),)),
    "cnn": (_cnn, lambda: (torch.randn(2, 3, 16, 16),)),
    "encoder": (lambda: EncoderBlock(64, 4).eval(), lambda: (torch.randn(1, 16, 64),)),
    "softmax-tanh-sin": (lambda: _softmax_tanh, lambda: (torch.randn(5, 37),)),
    "long-sum": (lambda: (lambda x: x.sum()), lambda: (torch.randn(100_000),)),
    # few long reductions: a block each, a tree in shared memory with barriers (ember-gpu-reductions)
    "long-rows": (lambda: (lambda x: (x.amax(-1), torch.softmax(x, -1), x.min(-1)[0])), lambda: (torch.randn(3, 3000),)),
    # matmuls and convolutions in 16x16 shared-memory tiles, edges guarded (ember-gpu-tile-contractions)
    "grouped-conv": (lambda: nn.Sequential(nn.Conv2d(8, 12, 3, stride=2, padding=1, dilation=2, groups=2),
                                           nn.ReLU()).eval(),
                     lambda: (torch.randn(2, 8, 11, 11),)),
    "bmm-odd-sizes": (lambda: torch.bmm, lambda: (torch.randn(3, 17, 33), torch.randn(3, 33, 20))),
    # the fuzzer's scatter-add: the element accumulated into is picked by a loaded index
    "index-add": (lambda: (lambda x, i: torch.zeros(4, 3).index_add(0, i, x)),
                  lambda: (torch.randn(5, 3), torch.tensor([0, 1, 1, 3, 0]))),
    "layer-norm-4096": (lambda: torch.nn.LayerNorm(4096).eval(), lambda: (torch.randn(2, 4096),)),
    "sort-cumsum": (lambda: (lambda x: (torch.sort(x)[0], torch.cumsum(x, 1))), lambda: (torch.randn(4, 9),)),
    "argmax-gather": (lambda: (lambda x, i: (x.argmax(-1), x[i])), lambda: (torch.randn(10, 3), torch.tensor([1, 9]))),
    "int-floor-div": (lambda: (lambda a, b: a // b), lambda: (torch.tensor([5, 7, -3]), torch.tensor([2, -3, 2]))),
}


def _compiled(name: str, target: str):
    make_model, make_inputs = MODELS[name]
    torch.manual_seed(0)
    model, inputs = make_model(), make_inputs()
    return model, inputs, ember.compile(model, inputs, target=target, fallback="error")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_emulated_kernels_give_eager_numbers(name):
    model, inputs, compiled = _compiled(name, "cuda-emulated")
    assert "mapped" in compiled.stages and "emulated" in compiled.stages
    with torch.no_grad():
        torch.testing.assert_close(compiled(*inputs), model(*inputs), rtol=1e-4, atol=1e-4)


# The cuda stages up to the mapped kernels, then the kernels as public host functions.
_EMULATED_KERNELS = "builtin.module(ember-cuda-fuse,ember-cuda-map,ember-emulate-gpu{public-kernels=1},ember-cpu-lower)"


@pytest.mark.parametrize("name", ["mlp-b1", "cnn", "encoder", "long-rows", "argmax-gather", "softmax-tanh-sin",
                                  "int-floor-div", "bmm-odd-sizes", "grouped-conv"])
def test_the_cuda_launch_plan_runs_with_the_emulated_kernels(name):
    """The cuda artifact itself (its plan: argument order, memref parameters, arena offsets,
    weights' bytes, status word) through the cuda runtime, with each cuLaunchKernel replaced
    by a call of the same kernel's host emulation."""
    model, inputs, compiled = _compiled(name, "cuda")
    module = _plan_on_host(model, inputs, compiled)
    with torch.no_grad():
        torch.testing.assert_close(module(*inputs), model(*inputs), rtol=1e-4, atol=1e-4)


def _plan_on_host(model, inputs, compiled):
    from ember.runtime.cuda import CudaExecutable, HostKernels
    from ember.runtime.jit import jit
    from ember.runtime.module import CompiledModule

    emulated = ember.compile(model, inputs, pipeline=_EMULATED_KERNELS, fallback="error")
    engine = jit(emulated.artifact, 1)._keepalive
    executable = CudaExecutable(compiled.artifact, device=HostKernels(engine.raw_lookup))
    executable.engine = engine  # the kernels' code lives as long as the executable
    return CompiledModule(compiled.signature, executable, target="cuda", artifact=compiled.artifact)


def test_the_cuda_status_word_raises_a_failed_check():
    def gather(x, i):
        return x[i]

    x, index = torch.randn(10, 3), torch.tensor([1, 2])
    module = _plan_on_host(gather, (x, index), ember.compile(gather, (x, index), target="cuda"))
    with pytest.raises(IndexError, match="index out of range"):
        module(x, torch.tensor([1, 10]))
    torch.testing.assert_close(module(x, torch.tensor([9, 0])), x[torch.tensor([9, 0])])


def _entries(ptx: str) -> dict[str, int]:
    """Each `.entry` of a PTX text and its parameter count."""
    return {m.group(1): m.group(2).count(".param") for m in re.finditer(r"\.entry\s+(\w+)\s*\((.*?)\)", ptx, re.S)}


@pytest.mark.parametrize("chip", ["sm_80", "sm_90"])
@pytest.mark.parametrize("name", ["mlp-b64", "cnn", "encoder", "softmax-tanh-sin", "sort-cumsum", "argmax-gather",
                                  "long-rows", "bmm-odd-sizes", "grouped-conv"])
def test_every_kernel_assembles_with_ptxas(name, chip, tmp_path):
    # ptxas comes with the test extra (nvidia-cuda-nvcc-cu12): a missing one fails, not skips.
    assembler = ptxas()
    assert assembler, "ptxas not found: pip install -e '.[test]' installs nvidia-cuda-nvcc-cu12"
    _, _, compiled = _compiled(name, f"cuda:{chip}")
    plan, blobs = compiled.artifact.device, compiled.artifact.device_blobs
    assert plan["launches"]
    for launch in plan["launches"]:
        ptx = blobs[plan["modules"][launch["module"]]["ptx"]].decode()
        assert f".target {chip}" in ptx
        # the runtime passes exactly the parameters the kernel declares
        assert _entries(ptx)[launch["function"]] == len(launch["params"])
    for module, entry in plan["modules"].items():
        assert entry["chip"] == chip and blobs[entry["cubin"]][:4] == b"\x7fELF"  # assembled when compiled
        source = tmp_path / f"{module}.ptx"
        source.write_bytes(blobs[entry["ptx"]])
        done = subprocess.run([assembler, f"-arch={chip}", str(source), "-o", str(tmp_path / f"{module}.cubin")],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def _shared_memory(assembler: str, chip: str, ptx: bytes, tmp_path) -> int:
    """The shared-memory bytes of a PTX module's kernel, as `ptxas -v` reports them."""
    source = tmp_path / "kernel.ptx"
    source.write_bytes(ptx)
    done = subprocess.run([assembler, "-v", f"-arch={chip}", str(source), "-o", str(tmp_path / "kernel.cubin")],
                          capture_output=True, text=True, check=True)
    used = re.findall(r"Used \d+ registers(?:, used \d+ barriers)?(?:, (\d+) bytes smem)?", done.stdout + done.stderr)
    assert len(used) == 1, done.stderr
    return int(used[0] or 0)


# Matmul and convolution kernels hold a 16x16 tile of a, of b and of the sums: 3 KiB of f32. The
# encoder's six: the q/k/v projection, q @ k^T, the weights @ v, the output projection, the MLP's two.
@pytest.mark.parametrize("name, contractions", [("mlp-b64", 3), ("cnn", 2), ("grouped-conv", 1), ("encoder", 6)])
def test_matmul_and_convolution_kernels_use_shared_memory(name, contractions, tmp_path):
    _, _, compiled = _compiled(name, "cuda:sm_80")
    plan, blobs = compiled.artifact.device, compiled.artifact.device_blobs
    shared = [_shared_memory(ptxas(), "sm_80", blobs[entry["ptx"]], tmp_path) for entry in plan["modules"].values()]
    assert shared.count(3 * 16 * 16 * 4) == contractions, shared


def test_cuda_module_compiles_and_saves_without_a_gpu(tmp_path):
    model, (x,), compiled = _compiled("mlp-b1", "cuda")
    assert compiled.stages == ["torch", "linalg", "fused", "mapped", "ptx"]
    with pytest.raises(ember.InputValueError, match="expected a cuda tensor, got one on cpu "):
        compiled(x)
    with pytest.raises(ember.InputValueError, match="cpu \\(numpy\\)"):
        compiled(x.numpy())
    if not torch.cuda.is_available():  # past the Signature's check, the executable says why it cannot run
        with pytest.raises(ember.EmberError, match="no CUDA device"):
            compiled._executable.run([x])
    path = tmp_path / "mlp.ember"
    compiled.save(path)
    loaded = ember.load(path)
    assert loaded.artifact.device == compiled.artifact.device
    assert loaded.artifact.device_blobs == compiled.artifact.device_blobs
    assert loaded.artifact.native is None


def test_a_saved_cuda_module_loads_without_mlir_or_torch_mlir(tmp_path):
    _, _, compiled = _compiled("mlp-b1", "cuda:sm_90")
    path = tmp_path / "mlp.ember"
    compiled.save(path)
    script = f"""
import sys
sys.modules["mlir"] = None  # importing either now fails
sys.modules["torch_mlir"] = None
import torch, ember
module = ember.load({str(path)!r})
print(module.target, module.signature)
try:
    module(torch.randn(1, 512))
except ember.InputValueError as e:
    print("refused:", e)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    assert done.returncode == 0, done.stderr
    assert "cuda:sm_90" in done.stdout and "refused: " in done.stdout


_NO_GPU = "no CUDA device here (torch.cuda.is_available() is False); test/gpu/run.py runs these models on a GPU machine"


@pytest.mark.skipif(not torch.cuda.is_available(), reason=_NO_GPU)
@pytest.mark.parametrize("name", sorted(MODELS))
def test_kernels_on_the_gpu_give_eager_numbers(name, tmp_path):
    """On a GPU: the module compiled for this device's chip, saved and loaded (the loader alone
    runs it), on CUDA tensors, against eager on the CPU."""
    major, minor = torch.cuda.get_device_capability()
    model, inputs, compiled = _compiled(name, f"cuda:sm_{major}{minor}")
    compiled.save(tmp_path / "model.ember")
    loaded = ember.load(tmp_path / "model.ember")
    with torch.no_grad():
        got = loaded(*[x.cuda() for x in inputs])
        torch.cuda.synchronize()
        got = torch.utils._pytree.tree_map(lambda t: t.cpu(), got)
        torch.testing.assert_close(got, model(*inputs), rtol=1e-4, atol=1e-4)


def test_runtime_checks_report_from_the_kernels():
    compiled = ember.compile(lambda x, i: x[i], (torch.randn(10, 3), torch.tensor([1, 2])), target="cuda-emulated")
    with pytest.raises(IndexError, match="index out of range"):
        compiled(torch.randn(10, 3), torch.tensor([1, 10]))
    x = torch.randn(10, 3)
    torch.testing.assert_close(compiled(x, torch.tensor([9, 0])), x[torch.tensor([9, 0])])


def test_random_ops_draw_fresh_numbers_in_the_kernels():
    compiled = ember.compile(lambda x: x + torch.rand_like(x), (torch.zeros(64, 64),), target="cuda-emulated")
    first, second = compiled(torch.zeros(64, 64)), compiled(torch.zeros(64, 64))
    assert not torch.equal(first, second)
    assert 0 <= first.min() and first.max() < 1 and abs(first.mean() - 0.5) < 0.05


@pytest.mark.parametrize("target", ["cuda:sm80", "cpu:sm_80", "gpu"])
def test_bad_target_names(target):
    with pytest.raises(ember.EmberError, match="target"):
        ember.compile(lambda x: x + 1, (torch.randn(3),), target=target)


@pytest.mark.parametrize("target", ["cuda", "cuda-emulated"])
def test_dynamic_shapes_are_refused_clearly(target):
    with pytest.raises(ember.EmberError, match="static shapes only"):
        ember.compile(lambda x: x + 1, (torch.randn(4, 3),), target=target, dynamic={"x": {0: "batch"}})
