"""Native code from the final LLVM-dialect IR, with MLIR's ExecutionEngine (LLVM's ORC JIT):
JIT-ed into this process, or dumped as a position-independent object and linked by the system
C compiler into the shared library that a saved artifact carries."""

import os
import tempfile

from mlir import ir
from mlir.execution_engine import ExecutionEngine

from ember.runtime.c_build import link_shared, runtime_sources
from ember.runtime.host_runtime import bind_allocation_functions, load_host_runtime
from ember.runtime.native import Abi, NativeExecutable

MLIR_LIB_DIR = os.path.join(os.path.dirname(ir.__file__), "lib")
# LLVM's IR pipeline level. The code comes vectorized and unrolled from MLIR; O3's extra IR
# passes bought no speed on the benchmark's models (ResNet-50 110.9 ms at O2, 112.8 at O3) and
# cost 1.6-2.1 s of their compile (ResNet-50 8.7 s at O2, 10.3 s at O3).
DEFAULT_OPT_LEVEL = 2
C_RUNNER_UTILS = os.path.join(MLIR_LIB_DIR, "libmlir_c_runner_utils.so")


def _parse(llvm_ir: bytes) -> ir.Module:
    from ember.dialects import new_context

    with new_context():
        return ir.Module.parse(llvm_ir)


def jit_module(module: ir.Module, signature, abi: Abi, threads: int,
               opt_level: int = DEFAULT_OPT_LEVEL) -> NativeExecutable:
    load_host_runtime(abi.uses_openmp)
    engine = ExecutionEngine(module, opt_level=opt_level, shared_libs=[C_RUNNER_UTILS], enable_object_dump=False)
    bind_allocation_functions(engine)
    return NativeExecutable(signature, abi, engine.raw_lookup(f"_mlir_ciface_{abi.entry}"), engine, threads)


def _opt_level(artifact) -> int:
    return artifact.options.get("opt_level", DEFAULT_OPT_LEVEL)


def jit(artifact, threads: int) -> NativeExecutable:
    """JIT-compiles an artifact's LLVM IR into this process."""
    return jit_module(_parse(artifact.llvm_ir), artifact.signature, artifact.abi, threads, _opt_level(artifact))


def object_code(artifact) -> bytes:
    """A position-independent object file of the artifact's module, for this host's CPU."""
    module = _parse(artifact.llvm_ir)
    load_host_runtime(artifact.abi.uses_openmp)  # what the code calls must resolve to compile it
    engine = ExecutionEngine(module, opt_level=_opt_level(artifact), shared_libs=[C_RUNNER_UTILS], enable_pic=True)
    bind_allocation_functions(engine)
    # Compiles the module (one object) through the entry: else the dump would look up a packed
    # wrapper of every function, which internal ones (ember-outline-kernels' kernels) lack, and
    # abort the process.
    engine.raw_lookup(f"_mlir_ciface_{artifact.abi.entry}")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.o")
        engine.dump_to_object_file(path)
        with open(path, "rb") as f:
            return f.read()


def shared_library(artifact) -> bytes:
    """The artifact's shared library for this host: its object code and ember's C runtime,
    linked; only the entry's packed wrapper is exported."""
    return link_shared({"model.o": object_code(artifact)},
                       runtime_sources(), exported=artifact.abi.packed_symbol)


def llvm_text(llvm_ir: bytes) -> str:
    """The LLVM-dialect IR as text, weights elided."""
    return _parse(llvm_ir).operation.get_asm(large_elements_limit=16, large_resource_limit=64)
