"""`ember.compile`: capture → the target's stages → artifact → executable → CompiledModule.
Nothing here is specific to a target: its stages, executable and libraries come from the
target registry (ember.runtime.targets)."""

import functools
import importlib.metadata
import logging
import threading
from dataclasses import replace

import torch
from mlir import ir

from ember import isolation
from ember.dialects import new_context
from ember.errors import CaptureError, EmberError, LoweringError
from ember.frontend.capture import CapturedModel, capture, model_name
from ember.frontend.capture import warm_up as capture_warm_up
from ember.interrupts import deferred
from ember.passes.kernel_table import kernel_table
from ember.passes.pass_manager import format_diagnostics
from ember.runtime import cache
from ember.runtime.artifact import Artifact
from ember.runtime.jit import DEFAULT_OPT_LEVEL
from ember.runtime.lowered import abi_of, bytecode
from ember.runtime.module import CompiledModule, check_threads
from ember.runtime.targets import lookup_target


def _elided(module: ir.Module) -> str:
    return module.operation.get_asm(large_elements_limit=16, large_resource_limit=64)


def _parse_linalg(captured: CapturedModel, context: ir.Context) -> ir.Module:
    try:
        return captured.linalg_module(context)
    except ir.MLIRError as e:
        raise LoweringError(
            f"upstream MLIR could not parse the linalg IR of {captured.name}:\n{format_diagnostics(e)}"
        ) from None


# torch.export is not thread-safe (two exports at once fail inside torch): captures take turns.
_CAPTURE_LOCK = threading.RLock()


def _weights(model, state: tuple[str, ...]) -> list:
    """(name, tensor, version, data pointer, the dict that holds it, its key there) of each
    parameter and buffer that the compile folds in: all but the buffers that the model updates,
    which are inputs. The call path checks the version (an in-place change), the data pointer
    (`p.data = t`, which keeps the Parameter and its version) and the holder (a new Parameter).
    In-place writes through `p.data` (`p.data.add_(1)`) bypass torch's version counter, as they
    bypass autograd's checks: nothing cheap sees them."""
    if not isinstance(model, torch.nn.Module):
        return []
    weights = []
    for kind in ("_parameters", "_buffers"):
        for prefix, owner in model.named_modules(remove_duplicate=False):
            for key, tensor in getattr(owner, kind).items():
                name = f"{prefix}.{key}" if prefix else key
                if tensor is not None and name not in state:
                    weights.append((name, tensor, tensor._version, tensor.data_ptr(), getattr(owner, kind), key))
    return weights


_WARM = False


def warm_up() -> None:
    """The imports that torch.export and torch-mlir make on their first use (torch._dynamo,
    sympy, the decompositions), made now, with Ctrl-C deferred (ember.interrupts): once."""
    global _WARM
    if _WARM:
        return
    with deferred(), _CAPTURE_LOCK:
        capture_warm_up()
        _WARM = True


def versions() -> dict[str, str]:
    """The versions of what made an artifact."""
    packages = ("ember", "torch", "torch-mlir", "xtc-mlir-python-bindings")
    return {p: importlib.metadata.version(p) for p in packages}


def compile(
    model,
    example_inputs,
    *,
    target: str = "cpu",
    pipeline: str | None = None,
    opt_level: int = DEFAULT_OPT_LEVEL,
    isolate: bool | str | None = None,
    threads: int | None = None,
    fallback: str = "eager",
    dynamic=None,
):
    """Compiles `model` (an nn.Module or a function of tensors) for the shapes and dtypes of
    `example_inputs`, for `target` ("cpu"). `pipeline` replaces the target's stages with any
    pipeline text (ember and upstream passes, `ember-entry-point` among them) that ends in the
    LLVM dialect. `isolate` (True/"passes", "full", False/"off"; default `EMBER_ISOLATE`, else
    "passes") runs torch-mlir's lowering and the passes ("full": and a trial of LLVM's code
    generation) in child processes, so that a native abort in torch-mlir/MLIR/LLVM raises
    IsolatedCrashError instead of killing this process (see ember.isolation). `threads` is how
    many cores a call runs on (OpenMP threads; 1 runs on the calling thread only; None, the
    default, as many as eager uses, `torch.get_num_threads()`, read at each call); it is the
    module's setting, not the compiled code's: `compiled.threads = n` changes it.
    `fallback`: where part of the model cannot be captured or lowered, "eager" (the default)
    compiles the rest in segments and runs that part eagerly, with a FallbackWarning naming its
    ops (an ember.partition.PartlyCompiled); "error" raises the CaptureError/LoweringError.
    `dynamic` names the dims that vary, by input and axis: `{"x": {0: "batch"}}` (dims that share a
    name are one dim) or torch.export.Dim objects for a range (`Dim("batch", min=1, max=64)`). One
    compiled module then serves every size in the range; a call outside it raises
    InputValueError. A dynamic model is compiled whole (fallback does not apply)."""
    if fallback not in ("eager", "error"):
        raise EmberError(f"fallback must be 'eager' or 'error', got {fallback!r}")
    options = dict(target=target, pipeline=pipeline, opt_level=opt_level, isolate=isolate, threads=threads)
    if dynamic is not None:
        return _compile_whole(model, example_inputs, dynamic=dynamic, **options)
    try:
        return _compile_whole(model, example_inputs, **options)
    except (CaptureError, LoweringError) as e:
        if fallback == "error":
            raise
        failure = e
    from ember.partition import compile_in_parts

    try:
        return compile_in_parts(model, example_inputs, model_name(model),
                                functools.partial(_compile_whole, **options), failure, _CAPTURE_LOCK)
    except CaptureError:  # no graph to split (torch.export failed): the first error says why
        raise failure from None


def _compile_whole(model, example_inputs, *, target, pipeline, opt_level, isolate, threads,
                   dynamic=None) -> CompiledModule:
    threads = check_threads(threads)
    warm_up()
    compile_target = lookup_target(target)
    if dynamic is not None and not compile_target.dynamic_shapes:
        raise EmberError(f"target '{target}' compiles static shapes only: compile without `dynamic` (one module"
                         " per shape), or for the cpu target")
    mode = isolation.isolation_mode(isolate)
    with _CAPTURE_LOCK:
        captured = capture(model, example_inputs, isolated=mode != "off", dynamic=dynamic)
        weights = _weights(model, captured.signature.state)
    options, made_by = {"opt_level": opt_level, "pipeline": pipeline}, versions()
    entry = (cache.key(captured.linalg_text, captured.weights, captured.signature, target, options, made_by)
             if cache.enabled() else None)
    hit = cache.lookup(entry) if entry else None
    if hit:
        artifact, stages = hit
        artifact = replace(artifact, signature=captured.signature)  # the live pytree spec
    else:
        module = _parse_linalg(captured, new_context())
        captured = replace(captured, weights=())  # they live in `module` now: not held twice
        artifact, stages = _lower(module, captured, compile_target, pipeline, mode, opt_level, options, made_by)
        if entry:
            artifact = _cached(entry, artifact, stages)
    executable = compile_target.executable(artifact, threads)
    return CompiledModule(captured.signature, executable, target=target, artifact=artifact, stages=stages,
                          graph=captured.graph, weights=weights,
                          state=[functools.partial(model.get_buffer, name) for name in captured.signature.state])


def _cached(entry: str, artifact: Artifact, stages: dict) -> Artifact:
    """Stores the artifact with native code (which the executable then maps instead of JIT-ing
    again); without a C compiler the compile goes on uncached."""
    try:
        artifact = artifact.with_native()
    except EmberError as e:
        logging.getLogger("ember").info("ember cache: not stored (%s)", e)
        return artifact
    cache.store(entry, artifact, stages)
    return artifact


def _lower(module, captured, compile_target, pipeline, mode, opt_level, options, made_by):
    """The target's stages on the captured model's linalg `module`: the artifact and each stage's IR."""
    stages = {"torch": captured.torch_ir, "linalg": _elided(module)}
    lowering = compile_target.stages() if pipeline is None else [("llvm", pipeline)]
    checks = [("checked", compile_target.check)] if compile_target.check else []
    trial = mode == "full" and compile_target.trial_libraries is not None
    module, snapshots = isolation.lower(
        module,
        [*lowering, *checks],
        captured.name,
        _elided,
        mode="passes" if mode == "full" and not trial else mode,  # a target without a trial: passes only
        opt_level=opt_level,
        jit_libs=compile_target.trial_libraries() if trial else [],
    )
    snapshots.pop("checked", None)
    stages.update(snapshots)
    device = compile_target.package(module, captured.name) if compile_target.package else {}
    artifact = Artifact(
        signature=captured.signature,
        abi=abi_of(module),
        target=compile_target.name,
        options=options,
        llvm_ir=bytecode(module),
        versions=made_by,
        kernels=_kernels(stages),
        **device,
    )
    return artifact, stages


def _kernels(stages: dict) -> tuple:
    """The kernel table for inspection; a model that it cannot read still compiles."""
    if "fused" not in stages:
        return ()
    try:
        return tuple(kernel_table(stages["fused"], new_context()))
    except Exception as e:  # inspection must never fail a compile
        logging.getLogger("ember").info("no kernel table: %s: %s", type(e).__name__, e)
        return ()
