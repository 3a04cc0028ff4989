"""Targets by name: how a model is lowered for one kind of machine, and how its artifact runs.

A target has its named pipeline stages (compile side; they need the `mlir` bindings) and a
factory that turns an Artifact into an executable (load side; the CPU target's needs neither
torch-mlir nor MLIR when the artifact holds native code for this host).
"""

import ctypes
import functools
import os
import tempfile
from dataclasses import dataclass, replace
from typing import Callable

from ember.errors import ArtifactError, EmberError
from ember.runtime.artifact import Artifact, host_cpu_features
from ember.runtime.native import NativeExecutable
from ember.runtime.host_runtime import load_host_runtime
from ember.runtime.openmp import load_openmp_runtime


@dataclass(frozen=True)
class Target:
    name: str
    summary: str
    stages: Callable[..., list[tuple[str, str]]]  # (IR level, pipeline text), in order; a chip for devices
    executable: Callable[[Artifact, int], NativeExecutable]  # (artifact, threads) → executable
    trial_libraries: Callable[[], list[str]] | None  # what a trial code generation (isolate="full") links; None: no trial
    check: str | None = "builtin.module(ember-check-llvm-lowered)"  # run on the final IR
    package: Callable | None = None  # (final module, model name) → the Artifact's device fields
    chips: bool = False  # takes a chip: "cuda:sm_90"
    dynamic_shapes: bool = True  # compiles dims that vary (ember.compile's `dynamic`)


_TARGETS: dict[str, Target] = {}


def register_target(target: Target) -> Target:
    _TARGETS[target.name] = target
    return target


def lookup_target(name: str) -> Target:
    """The target `name`, or `base:chip` for a device target (`cuda:sm_90`)."""
    base, _, chip = name.partition(":")
    target = _TARGETS.get(base)
    if target is None or (chip and not target.chips):
        raise EmberError(f"unknown target '{name}'; the targets are: {', '.join(sorted(_TARGETS))}"
                         " (a device target takes a chip: cuda:sm_90)")
    if chip:
        if not (chip.startswith("sm_") and chip[3:].rstrip("a").isdigit()):
            raise EmberError(f"target '{name}': expected a chip such as sm_80 or sm_90a, got '{chip}'")
        target = replace(target, name=name, stages=functools.partial(target.stages, chip))
    return target


def _cpu_stages() -> list[tuple[str, str]]:
    from ember.passes.pipelines import cpu_stages

    return cpu_stages()


def open_library(data: bytes) -> ctypes.CDLL:
    """Maps a shared library held in memory. It goes through a temporary file of a fresh name,
    removed once mapped: the dynamic loader hands out an already-loaded library for a path it has
    seen (a reused /proc/self/fd/N of a memfd would give one model another's code)."""
    fd, path = tempfile.mkstemp(prefix="ember-", suffix=".so")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return ctypes.CDLL(path)
    finally:
        os.remove(path)  # the mapping stays


def _cpu_executable(artifact: Artifact, threads: int) -> NativeExecutable:
    """The artifact's native code where this host has every CPU feature it was built for; else
    a JIT of its LLVM IR (needs the `mlir` bindings)."""
    if artifact.abi.uses_openmp:  # the library carries its own allocation functions
        load_openmp_runtime()
    missing = sorted(set(artifact.cpu_features) - set(host_cpu_features()))
    if artifact.native is not None and not missing:
        library = open_library(artifact.native)
        address = ctypes.cast(getattr(library, artifact.abi.packed_symbol), ctypes.c_void_p).value
        return NativeExecutable(artifact.signature, artifact.abi, address, library, threads)
    try:
        from ember.runtime.jit import jit
    except ImportError:
        raise ArtifactError(
            f"the native code of {artifact.signature.name} uses CPU features this host lacks "
            f"({', '.join(missing)}), and re-compiling its LLVM IR needs the `mlir` bindings "
            "(pip install ember's dependencies)"
        ) from None
    return jit(artifact, threads)


def _cpu_trial_libraries() -> list[str]:
    from ember.runtime.jit import C_RUNNER_UTILS

    load_host_runtime(uses_openmp=True)  # the trial resolves what the code calls against it
    return [C_RUNNER_UTILS]


CPU = register_target(Target("cpu", "the host CPU: LLVM JIT, or a shared library once saved", _cpu_stages,
                             _cpu_executable, _cpu_trial_libraries))


def _cuda_emulated_stages() -> list[tuple[str, str]]:
    from ember.passes.pipelines import cuda_emulated_stages

    return cuda_emulated_stages()


CUDA_EMULATED = register_target(Target(
    "cuda-emulated", "ember-cuda's kernels after mapping, run on the host: grid and block as loops (debugging)",
    _cuda_emulated_stages, _cpu_executable, _cpu_trial_libraries, dynamic_shapes=False))


def _cuda_stages(chip: str | None = None) -> list[tuple[str, str]]:
    from ember.passes.pipelines import DEFAULT_CHIP, cuda_stages

    return cuda_stages(chip or DEFAULT_CHIP)


def _cuda_package(module, name: str) -> dict:
    from ember.runtime.cuda_plan import launch_plan

    plan, blobs = launch_plan(module, name)
    return {"device": plan, "device_blobs": blobs}


def _cuda_executable(artifact: Artifact, threads: int):
    from ember.runtime.cuda import CudaExecutable

    return CudaExecutable(artifact, threads)


CUDA = register_target(Target(
    "cuda", "NVIDIA GPUs: kernels as PTX (sm_80, or cuda:sm_NN), launched on torch's current stream",
    _cuda_stages, _cuda_executable, None, check=None, package=_cuda_package, chips=True, dynamic_shapes=False))
