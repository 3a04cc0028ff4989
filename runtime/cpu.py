"""The CPU runtime: MLIR's ExecutionEngine (LLVM ORC JIT) and a lean call path.

The compiled `main` takes every input and then every output as a memref descriptor
(`_mlir_ciface_main(in0*, ..., out0*, ...)`); the engine exposes it through its packed
wrapper, which takes one array holding a pointer to each argument. Descriptors and that array
are built once; a call only writes each tensor's data pointer into its descriptor and calls
the wrapper with one precomputed argument.
"""

import ctypes
import functools
import importlib.metadata
import os
import threading

import torch
from mlir import ir
from mlir.execution_engine import ExecutionEngine

from ember.runtime.memref import make_descriptor

MLIR_LIB_DIR = os.path.join(os.path.dirname(ir.__file__), "lib")
C_RUNNER_UTILS = os.path.join(MLIR_LIB_DIR, "libmlir_c_runner_utils.so")


def jit_libraries(threads: int = 1) -> list[str]:
    """The shared libraries to hand to the ExecutionEngine of a module compiled for `threads`.
    For threads > 1 this first loads the OpenMP runtime into the process, once (see below)."""
    if threads > 1:
        _load_openmp_runtime()
    return [C_RUNNER_UTILS]


@functools.cache
def _load_openmp_runtime() -> None:
    """Loads libiomp5.so with RTLD_GLOBAL, where every JIT-ed module finds its `__kmpc_*`
    symbols; one runtime (and one thread pool) serves every threaded module in the process."""
    # The intel-openmp wheel installs it as a data file (<prefix>/lib), outside any package.
    path = next(f.locate() for f in importlib.metadata.files("intel-openmp") if f.name == "libiomp5.so")
    ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)


class CpuExecutable:
    """A JIT-compiled `main` over fixed input and output shapes."""

    def __init__(self, module: ir.Module, input_shapes, output_shapes, output_dtypes, opt_level: int = 3,
                 threads: int = 1):
        self._engine = ExecutionEngine(module, opt_level=opt_level, shared_libs=jit_libraries(threads))
        address = self._engine.raw_lookup("_mlir_ciface_main")  # the packed wrapper
        if not address:
            raise RuntimeError("the JIT-ed module has no _mlir_ciface_main")
        self._function = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(address)
        self._descriptors = [make_descriptor(tuple(s)) for s in [*input_shapes, *output_shapes]]
        # The wrapper's argument i is a pointer to a slot that holds descriptor i's address.
        self._slots = [ctypes.c_void_p(ctypes.addressof(d)) for d in self._descriptors]
        self._packed = (ctypes.c_void_p * len(self._slots))(*[ctypes.addressof(s) for s in self._slots])
        # torch.empty_like of a kept tensor is the cheapest way to get a fresh output tensor.
        self._prototypes = [torch.empty(tuple(s), dtype=d) for s, d in zip(output_shapes, output_dtypes)]
        self._lock = threading.Lock()

    def run(self, inputs) -> list[torch.Tensor]:
        """Runs on contiguous CPU tensors of the compiled shapes; returns new output tensors.
        Calls from several threads take turns: the descriptors and the module's static arena of
        intermediates (`ember-plan-memory`) exist once per executable."""
        outputs = [torch.empty_like(prototype) for prototype in self._prototypes]
        with self._lock:  # ctypes lets go of the GIL during the call
            for descriptor, tensor in zip(self._descriptors, [*inputs, *outputs]):
                descriptor.allocated = descriptor.aligned = tensor.data_ptr()
            self._function(self._packed)
        return outputs
