"""The machine's roofs and each model's work, for bench.py's achieved-throughput table.

- FP32 FMA peak: `peak.c`, compiled here with `cc -O3 -march=native`, independent FMA chains on
  vector registers, ~0.2 s per thread count (the best of three runs); without a C compiler, a
  numpy float32 matmul (BLAS) stands in and says so.
- Copy bandwidth: numpy copies of a 64 MB float32 array (split in one chunk per thread, each
  copied on a thread of its own: numpy releases the GIL), counted as read + write (2 x 64 MB per
  copy, as STREAM's copy counts), best of ~0.2 s of copies.
- A model's FLOPs: `torch.utils.flop_counter.FlopCounterMode` on one eager call (2 x the MACs of
  convolutions, linears and matmuls; elementwise ops, norms and softmax are not counted).
- A model's bytes: the operands and results of those same ops, in their dtype; everything else
  (BatchNorm, activations, adds) is assumed fused into them. This is the traffic of an
  implementation that fuses each layer's elementwise epilogue and keeps no activation in cache
  from one layer to the next; on cache-resident models it is an upper bound.
"""

import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode, flop_registry

_PEAK_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peak.c")


def _peak_binary(directory: str) -> str | None:
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        return None
    binary = os.path.join(directory, "peak")
    done = subprocess.run(
        [compiler, "-O3", "-march=native", "-pthread", _PEAK_SOURCE, "-o", binary], capture_output=True, text=True
    )
    return binary if done.returncode == 0 else None


def _numpy_matmul_gflops(threads: int, seconds: float) -> float:
    """A BLAS sgemm's rate: a stand-in for the FMA peak where no C compiler is found (numpy's
    BLAS picks its own thread count unless its environment variables say otherwise)."""
    n = 1024
    a, b = np.random.rand(n, n).astype(np.float32), np.random.rand(n, n).astype(np.float32)
    a @ b
    best, deadline = float("inf"), time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best * 1e-9


def fma_peak(thread_counts: list[int], seconds: float = 0.2) -> dict:
    """{"method": ..., "gflops": {threads: GFLOP/s}}."""
    with tempfile.TemporaryDirectory() as directory:
        binary = _peak_binary(directory)
        if binary is None:
            return {
                "method": "numpy float32 matmul 1024^3 (no C compiler found: not the FMA peak)",
                "gflops": {t: _numpy_matmul_gflops(t, seconds) for t in thread_counts},
            }
        gflops, lanes, chains = {}, 0, 0
        for threads in thread_counts:
            out = subprocess.run([binary, str(threads), str(seconds)], capture_output=True, text=True, check=True)
            value, lanes, chains = out.stdout.split()
            gflops[threads] = float(value)
    return {"method": f"cc -O3 -march=native FMA kernel, {chains} chains x {lanes} f32 lanes", "gflops": gflops}


def copy_bandwidth(thread_counts: list[int], megabytes: int = 64, seconds: float = 0.2) -> dict:
    """{"method": ..., "gbps": {threads: GB/s}} of numpy copies (read + write counted)."""
    source = np.ones(megabytes * 2**20 // 4, np.float32)
    target = np.empty_like(source)
    gbps = {}
    for threads in thread_counts:
        sources, targets = np.array_split(source, threads), np.array_split(target, threads)
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(np.copyto, targets, sources))  # page in
            best, deadline = float("inf"), time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                list(pool.map(np.copyto, targets, sources))
                best = min(best, time.perf_counter() - start)
        gbps[threads] = 2 * source.nbytes / best * 1e-9
    return {"method": f"numpy copy of a {megabytes} MB float32 array, read + write counted", "gbps": gbps}


class _OperandBytes(TorchDispatchMode):
    """Sums the bytes of the tensor operands and results of the ops that FLOPs are counted for."""

    def __init__(self):
        super().__init__()
        self.bytes = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func.overloadpacket in flop_registry:
            leaves = torch.utils._pytree.tree_leaves((args, kwargs, out))
            self.bytes += sum(t.numel() * t.element_size() for t in leaves if isinstance(t, torch.Tensor))
        return out


def count_work(model, inputs) -> dict:
    """{"flops": ..., "bytes": ...} of one eager call (see the module's docstring)."""
    flops_mode, bytes_mode = FlopCounterMode(display=False), _OperandBytes()
    with torch.no_grad(), flops_mode, bytes_mode:
        model(*inputs)
    return {"flops": int(flops_mode.get_total_flops()), "bytes": int(bytes_mode.bytes)}
