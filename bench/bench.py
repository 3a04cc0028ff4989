"""`python bench/bench.py`: ember against eager, TorchScript, torch.compile and IREE.

Every backend compiles the same model once, runs on the same inputs, is checked against eager
with `torch.testing.assert_close`, and is timed as the median of repeated calls after a
warm-up, in single-thread and all-cores modes, each backend in a process of its own (unless
`--in-process`). A backend that fails (to compile, on numerics, or by crashing its process)
gets its error in the table and the run goes on. IREE (the `bench` extra:
`pip install -e .[bench]`) compiles the very linalg IR that ember starts from, with its
llvm-cpu backend for the host CPU; without it, its column says why it was skipped.
"""

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field

import torch
import torch.utils._pytree as pytree

from zoo import WORKLOADS, Workload  # bench/ is the script's folder, first on sys.path

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


def iree_missing() -> str | None:
    """Why IREE cannot run here, or None."""
    if importlib.util.find_spec("iree.runtime") is None or _iree_compile_tool() is None:
        return "skipped: iree-base-compiler/iree-base-runtime not installed (pip install -e .[bench])"
    return None


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


def _build_ember(model, inputs, threads: int):
    import ember

    return ember.compile(model, inputs, threads=threads)


BACKENDS = ["eager", "torchscript", "inductor", "iree", "ember"]

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
        if backend == "iree" and (missing := iree_missing()):
            result.error = missing
            continue
        log(f"  {workload.name} threads={threads} {backend} ...")
        try:
            start = time.perf_counter()
            with torch.no_grad():
                if backend == "eager":
                    fn = _build_eager(model, inputs)
                elif backend == "torchscript":
                    fn = _build_torchscript(model, inputs)
                elif backend == "inductor":
                    fn = _build_inductor(model, inputs)
                elif backend == "iree":
                    fn = IreeModule(model, inputs, threads)
                else:
                    fn = _build_ember(model, inputs, threads)
            result.compile_s = time.perf_counter() - start
        except Exception as e:  # any backend may fail on any model: report it, keep going
            result.error = f"compile failed: {_first_line(e)}"
            continue
        try:
            with torch.no_grad():
                result.max_abs_error = _check(fn, inputs, expected)
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
    """One row per (workload, threads): median µs per call of each backend, each backend's time
    over ember's (above 1: ember is faster), compile seconds, and the errors below."""
    rows = {}
    for r in results:
        rows.setdefault((r.workload, r.threads), {})[r.backend] = r
    others = [b for b in backends if b != "ember"]
    header = ["model", "thr", *[f"{b} µs" for b in backends]]
    if "ember" in backends:
        header += [f"{b}/ember" for b in others] + ["best/ember"]
    table = [header]
    notes = []
    compile_rows = [["model", "thr", *[f"{b} s" for b in backends]]]
    for (workload, threads), by_backend in rows.items():
        line = [workload, str(threads), *[_cell(by_backend[b]) for b in backends]]
        if "ember" in backends:
            ember_us = by_backend["ember"].median_us
            ratios = []
            for b in others:
                t = by_backend[b].median_us
                ratios.append(f"{t / ember_us:.2f}x" if t and ember_us else "-")
            best = min((by_backend[b].median_us for b in others if by_backend[b].median_us), default=None)
            ratios.append(f"{best / ember_us:.2f}x" if best and ember_us else "-")
            line += ratios
        table.append(line)
        compile_rows.append(
            [workload, str(threads)]
            + [f"{by_backend[b].compile_s:.2f}" if by_backend[b].compile_s is not None else "-" for b in backends]
        )
        notes += [f"{workload} thr={threads} {b}: {by_backend[b].error}" for b in backends if by_backend[b].error]
    text = _render(table) + "\n\nCompile time (s; eager: none)\n" + _render(compile_rows)
    if notes:
        text += "\n\nErrors and skips:\n" + "\n".join(f"  {n}" for n in notes)
    return text


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

    check("seed MLP b1, 1 thread, eager / ember", ratio("mlp-b1", 1, "eager"), 3, "x")
    check("seed MLP b1, 1 thread, torchscript / ember", ratio("mlp-b1", 1, "torchscript"), 2, "x")
    for workload, threads in dict.fromkeys((r.workload, r.threads) for r in results if r.workload != "call-overhead"):
        others = [t for b in ("eager", "torchscript", "inductor", "iree") if (t := time(workload, threads, b))]
        ember = time(workload, threads, "ember")
        check(f"{workload}, {threads} thread(s), best other / ember", min(others) / ember if others and ember else None, 1, "x")
    compile_times = [r.compile_s for r in results if r.workload == "resnet18-b1" and r.backend == "ember" and r.compile_s]
    if compile_times:
        check("ResNet-18 ember compile time (slowest mode)", max(compile_times), 15, " s", at_most=True)
    for r in results:
        if r.workload == "call-overhead" and r.backend == "ember":
            check(f"call overhead of a one-op graph, {r.threads} thread(s)", r.median_us, 3, " µs", at_most=True)
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

    import ember.compiler  # noqa: F401
    import ember.frontend.capture  # noqa: F401

    [result] = measure(WORKLOADS[workload], int(threads), [backend], settings, log=lambda message: None)
    print(WORKER_MARK + json.dumps(asdict(result)), flush=True)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/bench.py", description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(WORKLOADS), help=f"comma-separated, of: {', '.join(WORKLOADS)}")
    parser.add_argument("--threads", default="1,all", help="comma-separated thread counts; 'all' = every core")
    parser.add_argument("--backends", default=",".join(BACKENDS), help=f"comma-separated, of: {', '.join(BACKENDS)}")
    parser.add_argument("--quick", action="store_true", help="fewer timed calls (a smoke run)")
    parser.add_argument("--json", default="bench-results.json", help="where to write the results")
    parser.add_argument(
        "--in-process", action="store_true", help="measure every backend in this process (default: one process each)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # MODEL:THREADS:BACKEND, run by the parent
    args = parser.parse_args(argv)

    workloads = [w.strip() for w in args.models.split(",") if w.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for name, known, what in [(w, WORKLOADS, "model") for w in workloads] + [(b, BACKENDS, "backend") for b in backends]:
        if name not in known:
            parser.error(f"unknown {what} '{name}'; choose from {', '.join(known)}")
    settings = Settings(warmup=3, min_calls=5, max_calls=200, seconds=0.2) if args.quick else Settings()
    warnings.filterwarnings("ignore")
    if args.worker:
        return _worker(args.worker, settings)

    def log(message):
        print(message, file=sys.stderr, flush=True)

    results = []
    for threads in _parse_threads(args.threads):
        for name in workloads:
            if args.in_process:
                results += measure(WORKLOADS[name], threads, backends, settings, log)
            else:
                results += [measure_isolated(name, threads, b, args.quick, log) for b in backends]
    print(f"median µs per call (torch {torch.__version__}, {os.cpu_count()} cores)\n")
    print(format_table(results, backends))
    if "ember" in backends:
        print("\n" + format_targets(results))
    with open(args.json, "w") as f:
        json.dump({"torch": torch.__version__, "cores": os.cpu_count(), "results": [asdict(r) for r in results]}, f, indent=1)
    print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
