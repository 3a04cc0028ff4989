"""`python bench/bench.py`: ember against eager, TorchScript, torch.compile, IREE, ONNX Runtime and OpenVINO.

Every backend compiles the same model once, runs on the same inputs, is checked against eager
with `torch.testing.assert_close`, and is timed as the median of repeated calls after a
warm-up, in single-thread and all-cores modes, each backend in a process of its own (unless
`--in-process`). A backend that fails (to compile, on numerics, or by crashing its process)
gets its error in the table and the run goes on. The peers outside torch come with the `bench`
extra (`pip install -e .[bench]`); a missing one's column says why it was skipped:
- IREE compiles the very linalg IR that ember starts from, with its llvm-cpu backend for the
  host CPU.
- ONNX Runtime runs `torch.onnx.export(dynamo=True)`'s graph on its CPU provider
  (intra-op threads = the thread count, inter-op 1), inputs and outputs bound once
  (`run_with_iobinding`: only the run is timed; its outputs are the bound buffers).
- OpenVINO compiles `ov.convert_model(torch.export.export(...))`, reshaped to the inputs' static
  shapes, for "CPU" with the LATENCY hint and f32 inference precision (its default on
  bf16-capable CPUs is bf16), and calls one reused InferRequest with shared inputs and outputs.
- eager-cuda, inductor-cuda and ember-cuda (`target="cuda:sm_XY"` for the device's chip) run
  where there is a CUDA device (by default only there; elsewhere their cells say why not): the
  model and inputs moved to the GPU once, each timed call waited for with
  `torch.cuda.synchronize()`, checked against eager on the CPU, and compared with ember-cuda in
  a table of their own.

Besides the times: each backend's compile seconds and peak memory growth while compiling
(`CompileMemory`; ember's isolation children included); the machine's FP32 FMA peak and copy
bandwidth, measured at the start (`roofline.py`); per model, the achieved GFLOP/s (GB/s for
memory-bound models) of ember and of the fastest peer, as fractions of those roofs. Compiles
are from scratch: ember's compile cache is off unless $EMBER_CACHE says otherwise.
"""

import argparse
import copy
import importlib.util
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field

import torch
import torch.utils._pytree as pytree

import roofline  # bench/ is the script's folder, first on sys.path
from zoo import WORKLOADS, Workload

# Compile times (and memory) are those of a compile from scratch, not of a load from ember's
# compile cache: as torch.compile runs with its caches off below. EMBER_CACHE=1 measures loads.
os.environ.setdefault("EMBER_CACHE", "0")

# ---------------------------------------------------------------------------------------------
# Backends: `build(model, inputs)` returns a callable; it is timed as the compile time.


def _build_eager(model, inputs):
    return model


def _build_torchscript(model, inputs):
    """torch.jit.script, frozen; trace + freeze for what script cannot compile."""
    try:
        scripted = torch.jit.script(model)
    except Exception:  # script rejects much Python; tracing records what one call does
        scripted = torch.jit.trace(model, inputs)
    if isinstance(scripted, torch.jit.ScriptModule):
        scripted = torch.jit.freeze(scripted.eval())
    scripted(*inputs)  # the profiling executor specializes on the first calls
    return scripted


def _build_inductor(model, inputs):
    import torch._inductor.config

    compiled = torch.compile(model, backend="inductor")
    # Compiles on the first call; without its on-disk caches, as ember compiles from scratch too.
    with torch._inductor.config.patch(force_disable_caches=True):
        compiled(*inputs)
    return compiled


def _iree_compile_tool() -> str | None:
    return shutil.which("iree-compile", path=os.path.dirname(sys.executable)) or shutil.which("iree-compile")


def _find(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # a parent package is missing
        return False


def backend_missing(backend: str) -> str | None:
    """Why a backend from the `bench` extra (or a CUDA one) cannot run here, or None."""
    if backend in CUDA_BACKENDS and not torch.cuda.is_available():
        return "skipped: no CUDA device here (torch.cuda.is_available() is False)"
    if backend == "iree" and (not _find("iree.runtime") or _iree_compile_tool() is None):
        return "skipped: iree-base-compiler/iree-base-runtime not installed (pip install -e .[bench])"
    if backend == "onnxruntime" and (missing := [m for m in ("onnxruntime", "onnx", "onnxscript") if not _find(m)]):
        return f"skipped: {'/'.join(missing)} not installed (pip install -e .[bench])"
    if backend == "openvino" and not _find("openvino"):
        return "skipped: openvino not installed (pip install -e .[bench])"
    return None


def iree_missing() -> str | None:
    return backend_missing("iree")


class _AsModule(torch.nn.Module):
    """A plain function of tensors as a module: the exporters take modules only."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *args):
        return self.fn(*args)


def _module(model):
    return model if isinstance(model, torch.nn.Module) else _AsModule(model)


def _unflatten(outputs: list):
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


class IreeModule:
    """The model's linalg IR (ember's own capture) compiled by IREE for the host CPU."""

    def __init__(self, model, inputs, threads: int):
        import iree.runtime as rt

        from ember.frontend.capture import capture

        # IREE's compiler bindings and upstream `mlir` bundle clashing nanobind builds and cannot
        # share a process; its command-line compiler can.
        linalg = capture(model, inputs).linalg_ir
        command = [_iree_compile_tool(), "-", "--iree-hal-target-backends=llvm-cpu", "--iree-llvmcpu-target-cpu=host", "-o", "-"]
        done = subprocess.run(command, input=linalg.encode(), capture_output=True)
        if done.returncode:
            raise RuntimeError(f"iree-compile failed: {done.stderr.decode().strip()[:300]}")
        vmfb = done.stdout
        # local-sync runs on the calling thread; local-task uses a pool of `threads` workers.
        if threads == 1:
            config = rt.Config("local-sync")
        else:
            rt.flags.parse_flags(f"--task_topology_max_group_count={threads}")
            config = rt.Config("local-task")
        self._context = rt.SystemContext(config=config)
        self._context.add_vm_module(rt.VmModule.copy_buffer(self._context.instance, vmfb))
        self._main = self._context.modules.module["main"]

    def __call__(self, *inputs):
        result = self._main(*[t.numpy() for t in inputs])
        return torch.from_numpy(result.to_host())


class OrtModule:
    """torch.onnx.export (dynamo) -> ONNX Runtime's CPU provider, I/O bound once."""

    def __init__(self, model, inputs, threads: int):
        import numpy as np
        import onnxruntime as ort

        logging.getLogger("torch.onnx").setLevel(logging.ERROR)  # "torchvision is not installed"
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "model.onnx")
            torch.onnx.export(_module(model), tuple(inputs), path, dynamo=True, verbose=False)
            self._session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self._ort = ort
        self._names = [i.name for i in self._session.get_inputs()]
        if len(self._names) != len(inputs):
            raise RuntimeError(f"the ONNX graph takes {len(self._names)} inputs, the model {len(inputs)}")
        self._binding = self._session.io_binding()
        self._bound = None
        self._bind_inputs(inputs)
        first = self._session.run(None, dict(zip(self._names, self._arrays)))
        self._outputs = [np.empty_like(a) for a in first]
        for meta, array in zip(self._session.get_outputs(), self._outputs):
            self._binding.bind_ortvalue_output(meta.name, ort.OrtValue.ortvalue_from_numpy(array))
        self._results = _unflatten([torch.from_numpy(a) for a in self._outputs])

    def _bind_inputs(self, inputs):
        self._arrays = [t.detach().contiguous().numpy() for t in inputs]  # no copy: CPU tensors
        for name, array in zip(self._names, self._arrays):
            self._binding.bind_ortvalue_input(name, self._ort.OrtValue.ortvalue_from_numpy(array))
        self._bound = [(t.data_ptr(), t.shape, t.dtype) for t in inputs]

    def __call__(self, *inputs):
        if [(t.data_ptr(), t.shape, t.dtype) for t in inputs] != self._bound:  # other tensors than bound
            self._bind_inputs(inputs)
        self._session.run_with_iobinding(self._binding)
        return self._results


class OpenVinoModule:
    """torch.export -> ov.convert_model -> compile_model("CPU"), one reused InferRequest."""

    def __init__(self, model, inputs, threads: int):
        import openvino as ov

        converted = ov.convert_model(torch.export.export(_module(model), tuple(inputs)))
        converted.reshape({port: ov.PartialShape(list(t.shape)) for port, t in zip(converted.inputs, inputs)})
        config = {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": "f32"}
        self._compiled = ov.Core().compile_model(converted, "CPU", config)
        self._request = self._compiled.create_infer_request()

    def __call__(self, *inputs):
        feeds = {i: t.numpy() for i, t in enumerate(inputs)}
        results = self._request.infer(feeds, share_inputs=True, share_outputs=True)
        return _unflatten([torch.from_numpy(a) for a in results.to_tuple()])


def _build_ember(model, inputs, threads: int, partial: bool = False):
    import ember

    # What ember compiles whole, but for the workloads made to be compiled in parts.
    return ember.compile(model, inputs, threads=threads, fallback="eager" if partial else "error")


def _build_ember_dynamic(model, inputs, threads: int):
    """ember.compile with every input's dim 0 dynamic ("batch"): the module that serves every
    batch size, timed at this workload's."""
    import ember

    return ember.compile(model, inputs, threads=threads, fallback="error", dynamic=[{0: "batch"}] * len(inputs))


def _build_ember_dynamo(model, inputs, threads: int):
    """torch.compile(model, backend="ember"): Dynamo's guards and frame evaluation around ember."""
    compiled = torch.compile(model, backend="ember", options={"threads": threads})
    compiled(*inputs)  # Dynamo compiles on the first call
    return compiled


def _build_ember_cuda(model, inputs):
    import ember

    major, minor = torch.cuda.get_device_capability()
    return ember.compile(model, inputs, target=f"cuda:sm_{major}{minor}", fallback="error")


class _OnGpu:
    """A CUDA backend's module, called on the inputs moved to the GPU once; a call waits for the
    GPU (a timed call is the kernels' time, not their launch's) and returns CPU tensors only
    when checked against eager."""

    def __init__(self, build, model, inputs):
        model = copy.deepcopy(model).cuda() if isinstance(model, torch.nn.Module) else model
        self.inputs = [x.cuda() for x in inputs]
        self.fn = build(model, self.inputs)

    def __call__(self, *inputs):
        out = self.fn(*self.inputs)
        torch.cuda.synchronize()
        return out

    def on_cpu(self, *inputs):
        return pytree.tree_map(lambda t: t.cpu() if isinstance(t, torch.Tensor) else t, self(*inputs))


CUDA_BUILDERS = {"eager-cuda": _build_eager, "inductor-cuda": _build_inductor, "ember-cuda": _build_ember_cuda}
CUDA_BACKENDS = list(CUDA_BUILDERS)
BACKENDS = ["eager", "torchscript", "inductor", "iree", "onnxruntime", "openvino", "ember", "ember-dynamo",
            "ember-dynamic", *CUDA_BACKENDS]
# The CPU backends that ember's CPU column is compared with; the CUDA ones are compared with ember-cuda.
PEERS = [b for b in BACKENDS if not b.startswith("ember") and b not in CUDA_BACKENDS]

# ---------------------------------------------------------------------------------------------
# Measuring


@dataclass
class Result:
    workload: str
    threads: int
    backend: str
    compile_s: float | None = None
    median_us: float | None = None
    calls: int = 0
    max_abs_error: float | None = None  # against eager
    error: str | None = None
    compile_memory_mb: float | None = None  # peak growth while compiling: CompileMemory


@dataclass
class Settings:
    warmup: int = 20
    min_calls: int = 30
    max_calls: int = 5000
    seconds: float = 1.0  # per measurement; calls stop at max_calls or after this long
    extra: dict = field(default_factory=dict)


def median_call_us(fn, inputs, settings: Settings) -> tuple[float, int]:
    for _ in range(settings.warmup):
        fn(*inputs)
    times = []
    deadline = time.perf_counter() + settings.seconds
    while len(times) < settings.max_calls and (len(times) < settings.min_calls or time.perf_counter() < deadline):
        start = time.perf_counter()
        fn(*inputs)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6, len(times)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"[:160]


# Looser than assert_close's float32 default (1.3e-6, 1e-5): every backend sums in its own order,
# and over a ResNet's depth that alone moves logits by ~1e-5. The JSON keeps each max error.
RTOL = ATOL = 1e-4


def _check(fn, inputs, expected) -> float:
    actual = fn(*inputs)
    torch.testing.assert_close(actual, expected, rtol=RTOL, atol=ATOL)
    pairs = zip(pytree.tree_leaves(actual), pytree.tree_leaves(expected))
    return max(((a - e).abs().max().item() for a, e in pairs if a.numel()), default=0.0)


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_high_water_mark() -> bool:
    """Resets VmHWM to the current RSS (Linux: 5 > /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class CompileMemory:
    """Peak memory growth of a compile, in MB: the largest of this process's high-water mark
    (VmHWM, reset when the compile begins) and of the sampled sum of this process's RSS and its
    descendants' private memory (`rss_watch.py`: every 10 ms, children every 100 ms; ember's
    isolation forks the lowering and the passes into children), minus this process's RSS when
    the compile began.
    Where VmHWM cannot be reset, it may be the mark of earlier work (the eager reference call);
    without /proc, ru_maxrss stands in and children are not seen."""

    WATCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rss_watch.py")

    def __enter__(self):
        _reset_high_water_mark()
        self.base_kb = _status_kb("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self._watch = None
        try:
            self._watch = subprocess.Popen(
                [sys.executable, self.WATCH, str(os.getpid())], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
            self._watch.stdout.readline()  # "ready"
        except OSError:
            self._watch = None
        return self

    def __exit__(self, *exc):
        mark = _status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if self._watch is not None:
            out, _ = self._watch.communicate(input="")
            try:
                mark = max(mark, int(out.split()[-1]))
            except (ValueError, IndexError):
                pass
        self.mb = max(0, mark - self.base_kb) / 1024
        return False


def measure(workload: Workload, threads: int, backends: list[str], settings: Settings, log) -> list[Result]:
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return _measure(workload, threads, backends, settings, log)
    finally:
        torch.set_num_threads(previous)


def _measure(workload: Workload, threads: int, backends: list[str], settings: Settings, log) -> list[Result]:
    model, inputs = workload.build()
    with torch.no_grad():
        expected = model(*inputs)
    results = []
    for backend in backends:
        result = Result(workload.name, threads, backend)
        results.append(result)
        if missing := backend_missing(backend):
            result.error = missing
            continue
        log(f"  {workload.name} threads={threads} {backend} ...")
        try:
            with CompileMemory() as memory, torch.no_grad():
                start = time.perf_counter()
                if backend == "eager":
                    fn = _build_eager(model, inputs)
                elif backend == "torchscript":
                    fn = _build_torchscript(model, inputs)
                elif backend == "inductor":
                    fn = _build_inductor(model, inputs)
                elif backend == "iree":
                    fn = IreeModule(model, inputs, threads)
                elif backend == "onnxruntime":
                    fn = OrtModule(model, inputs, threads)
                elif backend == "openvino":
                    fn = OpenVinoModule(model, inputs, threads)
                elif backend == "ember-dynamo":
                    fn = _build_ember_dynamo(model, inputs, threads)
                elif backend == "ember-dynamic":
                    fn = _build_ember_dynamic(model, inputs, threads)
                elif backend in CUDA_BUILDERS:
                    fn = _OnGpu(CUDA_BUILDERS[backend], model, inputs)
                else:
                    fn = _build_ember(model, inputs, threads, workload.partial)
                result.compile_s = time.perf_counter() - start
            result.compile_memory_mb = memory.mb
        except Exception as e:  # any backend may fail on any model: report it, keep going
            result.error = f"compile failed: {_first_line(e)}"
            continue
        try:
            with torch.no_grad():
                result.max_abs_error = _check(fn.on_cpu if isinstance(fn, _OnGpu) else fn, inputs, expected)
        except Exception as e:
            result.error = f"numerics: {_first_line(e)}"
            continue
        with torch.no_grad():
            result.median_us, result.calls = median_call_us(fn, inputs, settings)
    return results


# ---------------------------------------------------------------------------------------------
# Reporting


def _cell(result: Result) -> str:
    if result.median_us is None:
        return "n/a"
    return f"{result.median_us:,.1f}" if result.median_us < 1000 else f"{result.median_us:,.0f}"


def format_table(results: list[Result], backends: list[str]) -> str:
    """One row per (workload, threads): median µs per call of each backend; each backend's time
    over ember's (above 1: ember is faster); compile seconds; compile memory; the errors below."""
    rows = {}
    for r in results:
        rows.setdefault((r.workload, r.threads), {})[r.backend] = r
    others = [b for b in backends if b != "ember" and b not in CUDA_BACKENDS]
    table = [["model", "thr", *[f"{b} µs" for b in backends]]]
    ratio_rows = [["model", "thr", *[f"{b}/ember" for b in others], "best/ember"]]
    compile_rows = [["model", "thr", *[f"{b} s" for b in backends]]]
    memory_rows = [["model", "thr", *[f"{b} MB" for b in backends]]]
    notes = []
    for (workload, threads), by_backend in rows.items():
        table.append([workload, str(threads), *[_cell(by_backend[b]) for b in backends]])
        if "ember" in backends:
            ember_us = by_backend["ember"].median_us
            ratios = []
            for b in others:
                t = by_backend[b].median_us
                ratios.append(f"{t / ember_us:.2f}x" if t and ember_us else "-")
            best = min((by_backend[b].median_us for b in others if b in PEERS and by_backend[b].median_us),
                       default=None)
            ratios.append(f"{best / ember_us:.2f}x" if best and ember_us else "-")
            ratio_rows.append([workload, str(threads), *ratios])
        compile_row = [workload, str(threads)] + [
            f"{by_backend[b].compile_s:.2f}" if by_backend[b].compile_s is not None else "-" for b in backends
        ]
        compile_rows.append(compile_row)
        memory_rows.append([workload, str(threads)] + [
            f"{by_backend[b].compile_memory_mb:,.0f}" if by_backend[b].compile_memory_mb is not None else "-"
            for b in backends
        ])
        notes += [f"{workload} thr={threads} {b}: {by_backend[b].error}" for b in backends if by_backend[b].error]
    text = _render(table)
    if "ember" in backends and others:
        text += "\n\nEach backend's time over ember's (above 1: ember is faster)\n" + _render(ratio_rows)
    gpu = [b for b in CUDA_BACKENDS if b in backends and b != "ember-cuda"]
    if "ember-cuda" in backends and gpu:
        gpu_rows = [["model", "thr", *[f"{b}/ember-cuda" for b in gpu]]]
        for (workload, threads), by_backend in rows.items():
            mine = by_backend["ember-cuda"].median_us
            gpu_rows.append([workload, str(threads), *[
                f"{by_backend[b].median_us / mine:.2f}x" if by_backend[b].median_us and mine else "-" for b in gpu]])
        text += "\n\nOn the GPU: each backend's time over ember-cuda's (above 1: ember is faster)\n" + _render(gpu_rows)
    text += "\n\nCompile time (s; eager: none)\n" + _render(compile_rows)
    text += (
        "\n\nCompile memory (MB: peak RSS growth of the process while it compiles, child processes'"
        " private memory included)\n" + _render(memory_rows)
    )
    if notes:
        text += "\n\nErrors and skips:\n" + "\n".join(f"  {n}" for n in notes)
    return text


def _roofs(machine: dict, bound: str, threads: int) -> tuple[float | None, str]:
    """The roof of a (compute- or memory-bound) workload at a thread count, and its unit."""
    if bound == "memory":
        return machine["copy"]["gbps"].get(threads), "GB/s"
    return machine["fma"]["gflops"].get(threads), "GFLOP/s"


def _flops(n: int) -> str:
    return f"{n / 1e9:.3g} GFLOP" if n >= 1e8 else f"{n / 1e6:.3g} MFLOP"


def format_efficiency(results: list[Result], work: dict, machine: dict) -> str:
    """Achieved GFLOP/s (GB/s for memory-bound workloads) of ember and of the fastest peer, and
    their fractions of the measured FMA peak (copy bandwidth)."""
    fma, copy = machine["fma"], machine["copy"]
    head = [
        "Achieved throughput against the measured roofs",
        f"  FP32 FMA peak ({fma['method']}): "
        + ", ".join(f"{v:,.1f} GFLOP/s at {t} thr" for t, v in fma["gflops"].items()),
        f"  copy bandwidth ({copy['method']}): " + ", ".join(f"{v:,.1f} GB/s at {t} thr" for t, v in copy["gbps"].items()),
        "  work per call: FLOPs = 2 x MACs of convs/linears/matmuls (FlopCounterMode on eager); bytes = operands and",
        "  results of those ops (elementwise ops assumed fused); memory-bound models (depthwise) are rated in GB/s",
    ]
    rows = [["model", "thr", "work", "roof", "ember", "% roof", "best peer", "peer", "% roof"]]
    by = {}
    for r in results:
        by.setdefault((r.workload, r.threads), {})[r.backend] = r
    for (workload, threads), by_backend in by.items():
        w = work.get(workload)
        if not w or not w["flops"]:
            continue
        bound = WORKLOADS[workload].bound
        amount = w["bytes"] if bound == "memory" else w["flops"]
        roof, unit = _roofs(machine, bound, threads)

        def rate(r):
            return amount / (r.median_us * 1e-6) * 1e-9 if r and r.median_us else None

        def pct(value):
            return f"{100 * value / roof:.1f}%" if value and roof else "-"

        ember = rate(by_backend.get("ember"))
        peers = [r for b, r in by_backend.items() if b in PEERS and r.median_us]
        best = min(peers, key=lambda r: r.median_us) if peers else None
        peer = rate(best)
        rows.append([
            workload,
            str(threads),
            f"{amount / 1e6:,.1f} MB" if bound == "memory" else _flops(amount),
            f"{roof:,.1f} {unit}" if roof else "-",
            f"{ember:,.2f}" if ember else "-",
            pct(ember),
            best.backend if best else "-",
            f"{peer:,.2f}" if peer else "-",
            pct(peer),
        ])
    return "\n".join(head) + "\n" + _render(rows)


# Too little work per call to share among cores: the scaling target leaves them out.
_NOT_SCALED = frozenset({"mlp-b1", "mlp-b7", "call-overhead", "alternating-b1"})


def format_targets(results: list[Result]) -> str:
    """The issue's targets, each with the measured value and whether it is met."""
    by = {(r.workload, r.threads, r.backend): r for r in results}
    lines = []

    def check(label: str, value: float | None, goal: float, unit: str, at_most: bool = False) -> None:
        if value is None:
            lines.append(f"  n/a   {label}: not measured")
            return
        met = value <= goal if at_most else value >= goal
        lines.append(f"  {'met ' if met else 'MISS'}  {label}: {value:.2f}{unit} ({'<=' if at_most else '>='} {goal:g}{unit})")

    def time(workload, threads, backend):
        r = by.get((workload, threads, backend))
        return r.median_us if r else None

    def ratio(workload, threads, backend):
        other, ember = time(workload, threads, backend), time(workload, threads, "ember")
        return other / ember if other and ember else None

    check("seed MLP b1, 1 thread, eager / ember", ratio("mlp-b1", 1, "eager"), 4, "x")  # issue #12
    check("seed MLP b1, 1 thread, torchscript / ember", ratio("mlp-b1", 1, "torchscript"), 2, "x")
    for workload, threads in dict.fromkeys((r.workload, r.threads) for r in results if r.workload != "call-overhead"):
        others = [t for b in PEERS if (t := time(workload, threads, b))]
        ember = time(workload, threads, "ember")
        check(f"{workload}, {threads} thread(s), best other / ember", min(others) / ember if others and ember else None, 1, "x")
    check("seed MLP b1, 1 thread, torch.compile(backend='ember') / ember.compile",
          (lambda d, e: d / e if d and e else None)(time("mlp-b1", 1, "ember-dynamo"), time("mlp-b1", 1, "ember")),
          1.1, "x", at_most=True)
    for workload in ("mlp-b1", "mlp-b7", "mlp-b64", "encoder-b1", "encoder-b7", "encoder-b64"):
        for threads in sorted({r.threads for r in results}):
            dynamic, static = time(workload, threads, "ember-dynamic"), time(workload, threads, "ember")
            if dynamic and static:
                check(f"{workload}, {threads} thread(s), dynamic-batch / static ember", dynamic / static, 1.1, "x",
                      at_most=True)
    # issue #12: on the CNNs, the batch-64 MLP and the encoders, more threads at least 1.5x one's speed
    for workload in dict.fromkeys(r.workload for r in results):
        one = time(workload, 1, "ember")
        if workload in _NOT_SCALED or not one:
            continue
        for threads in sorted({r.threads for r in results if r.workload == workload and r.threads > 1}):
            many = time(workload, threads, "ember")
            check(f"{workload}, ember at {threads} threads over 1 thread", one / many if many else None, 1.5, "x")
    for workload, name, goal in (("resnet18-b1", "ResNet-18", 15), ("resnet50-b1", "ResNet-50", 8),
                                 ("bert-base-b1", "BERT-base", 15)):  # the last two: issue #12
        compile_times = [r.compile_s for r in results if r.workload == workload and r.backend == "ember" and r.compile_s]
        if compile_times:
            check(f"{name} ember compile time (slowest mode)", max(compile_times), goal, " s", at_most=True)
    for r in results:
        if r.workload == "call-overhead" and r.backend == "ember":
            check(f"call overhead of a one-op graph, {r.threads} thread(s)", r.median_us, 3, " µs", at_most=True)
            eager_over_ember = ratio("call-overhead", r.threads, "eager")
            check(f"call overhead of a one-op graph, {r.threads} thread(s), ember / eager",  # issue #12
                  1 / eager_over_ember if eager_over_ember else None, 1.5, "x", at_most=True)
    embers = [r for r in results if r.backend == "ember"]
    wrong = [f"{r.workload}/{r.threads}" for r in embers if r.error and r.error.startswith("numerics")]
    failed = [f"{r.workload}/{r.threads}" for r in embers if r.error and not r.error.startswith("numerics")]
    lines.append(f"  {'MISS' if wrong else 'met '}  ember within assert_close of eager: {', '.join(wrong) or 'every compiled model'}")
    if failed:
        lines.append(f"  MISS  ember did not compile: {', '.join(failed)}")
    return "Targets\n" + "\n".join(lines)


def _render(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) if i > 1 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _parse_threads(text: str) -> list[int]:
    counts = []
    for item in text.split(","):
        item = item.strip()
        counts.append(os.cpu_count() or 1 if item == "all" else int(item))
    return list(dict.fromkeys(counts))


WORKER_MARK = "ember-bench-result: "


def measure_isolated(workload: str, threads: int, backend: str, quick: bool, log) -> Result:
    """One backend on one workload in a fresh process: no thread pool, cache or allocator of one
    backend (torch's OpenMP threads, IREE's workers, ember's OpenMP threads) can slow another,
    and a native crash costs one table cell, not the run."""
    log(f"  {workload} threads={threads} {backend} ...")
    command = [sys.executable, os.path.abspath(__file__), "--worker", f"{workload}:{threads}:{backend}"]
    done = subprocess.run(command + (["--quick"] if quick else []), capture_output=True, text=True)
    for line in done.stdout.splitlines():
        if line.startswith(WORKER_MARK):
            return Result(**json.loads(line[len(WORKER_MARK):]))
    last = (done.stderr.strip().splitlines() or ["no output"])[-1]
    how = f"killed by signal {-done.returncode}" if done.returncode < 0 else f"exit status {done.returncode}"
    return Result(workload, threads, backend, error=f"worker process died ({how}): {last[:160]}")


def _worker(spec: str, settings: Settings) -> int:
    workload, threads, backend = spec.split(":")
    # Libraries load once per process: not part of any backend's compile time.
    import torch._inductor.compile_fx  # noqa: F401

    import ember.compiler
    import ember.frontend.capture  # noqa: F401

    # torch.export imports what it needs on its first use (~1 s): done here, once per process,
    # for every backend that exports (ember, ONNX Runtime, OpenVINO), as the imports above.
    ember.compiler.warm_up()
    if backend == "onnxruntime" and not backend_missing(backend):
        import onnxruntime  # noqa: F401
        import onnxscript  # noqa: F401
        import torch.onnx._internal.exporter._core  # noqa: F401
    if backend == "openvino" and not backend_missing(backend):
        import openvino  # noqa: F401
        import openvino.frontend.pytorch.fx_decoder  # noqa: F401

    [result] = measure(WORKLOADS[workload], int(threads), [backend], settings, log=lambda message: None)
    print(WORKER_MARK + json.dumps(asdict(result)), flush=True)
    return 0


MODEL_GROUPS = {
    "all": list(WORKLOADS),
    "fast": [name for name, w in WORKLOADS.items() if not w.slow],
    "slow": [name for name, w in WORKLOADS.items() if w.slow],
}


def _models_help() -> str:
    lines = [
        "comma-separated model names or groups: 'all' (the default), 'fast' (all but the slow ones),",
        "'slow'; '-NAME' or '-GROUP' leaves it out (--models=all,-bert-base-b1). The models:",
    ]
    lines += [f"  {name}{' (SLOW)' if w.slow else ''}: {w.note}" for name, w in WORKLOADS.items()]
    return "\n".join(lines)


def _parse_models(text: str) -> list[str]:
    chosen = []
    for item in (i.strip() for i in text.split(",")):
        if not item:
            continue
        if item.startswith("-"):
            names = MODEL_GROUPS.get(item[1:], [item[1:]])
            chosen = [c for c in chosen if c not in names]
        else:
            chosen += [n for n in MODEL_GROUPS.get(item, [item]) if n not in chosen]
    return chosen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python bench/bench.py",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawTextHelpFormatter,
        epilog="SLOW models are the big ones: every backend's compile and timing take far longer (ember\n"
        "compiles encoder-b1, one block of d 256, in ~4 s; bert-base-b1, twelve of d 768, in ~16 s).\n"
        "A smoke run of every backend: --models mlp-b1,mobilenet-dw-b1 --quick (or --models fast).",
    )
    parser.add_argument("--models", default="all", help=_models_help())
    parser.add_argument("--threads", default="1,all", help="comma-separated thread counts; 'all' = every core (default: 1,all)")
    parser.add_argument("--backends", default=None, help=f"comma-separated, of: {', '.join(BACKENDS)} (default: all;"
                        " the CUDA ones where there is a CUDA device)")
    parser.add_argument("--quick", action="store_true", help="fewer timed calls (a smoke run)")
    parser.add_argument("--json", default="bench-results.json", help="where to write the results")
    parser.add_argument(
        "--in-process", action="store_true", help="measure every backend in this process (default: one process each)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # MODEL:THREADS:BACKEND, run by the parent
    args = parser.parse_args(argv)

    workloads = _parse_models(args.models)
    if args.backends is None:
        args.backends = ",".join(b for b in BACKENDS if b not in CUDA_BACKENDS or torch.cuda.is_available())
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for name, known, what in [(w, WORKLOADS, "model") for w in workloads] + [(b, BACKENDS, "backend") for b in backends]:
        if name not in known:
            parser.error(f"unknown {what} '{name}'; choose from {', '.join(known)}")
    if not args.worker and not workloads:
        parser.error(f"--models={args.models} selects no model")
    settings = Settings(warmup=3, min_calls=5, max_calls=200, seconds=0.2) if args.quick else Settings()
    warnings.filterwarnings("ignore")
    if args.worker:
        return _worker(args.worker, settings)

    def log(message):
        print(message, file=sys.stderr, flush=True)

    thread_counts = _parse_threads(args.threads)
    log("measuring the FP32 FMA peak and the copy bandwidth ...")
    machine = {"fma": roofline.fma_peak(thread_counts), "copy": roofline.copy_bandwidth(thread_counts)}
    work = {}
    for name in workloads:
        model, inputs = WORKLOADS[name].build()
        work[name] = roofline.count_work(model, inputs)
        del model, inputs

    results = []
    for threads in thread_counts:
        for name in workloads:
            if args.in_process:
                results += measure(WORKLOADS[name], threads, backends, settings, log)
            else:
                results += [measure_isolated(name, threads, b, args.quick, log) for b in backends]
    print(f"median µs per call (torch {torch.__version__}, {os.cpu_count()} cores)\n")
    print(format_table(results, backends))
    print("\n" + format_efficiency(results, work, machine))
    if "ember" in backends:
        print("\n" + format_targets(results))
    report = {
        "torch": torch.__version__,
        "cores": os.cpu_count(),
        "ember_cache": os.environ["EMBER_CACHE"],
        "machine": machine,
        "work": work,
        "results": [asdict(r) for r in results],
    }
    with open(args.json, "w") as f:
        json.dump(report, f, indent=1)
    print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
