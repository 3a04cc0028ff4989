"""What compiled code calls in this process, loaded once with RTLD_GLOBAL where every JIT-ed
module finds it: the allocation functions (alloc_cache.c, built with the system C compiler)
and the OpenMP entry points (ember.runtime.openmp). A saved artifact's library carries its own
allocation functions (ember.runtime.c_build.runtime_sources)."""

import ctypes
import functools
import logging

from ember.errors import EmberError
from ember.runtime.c_build import c_source, find_c_compiler, load_library
from ember.runtime.openmp import load_openmp_runtime

_log = logging.getLogger("ember")
ALLOCATION_FUNCTIONS = ("_mlir_memref_to_llvm_alloc", "_mlir_memref_to_llvm_aligned_alloc", "_mlir_memref_to_llvm_free")
_LIBC_EQUIVALENTS = ("malloc", "aligned_alloc", "free")  # same signatures


@functools.cache
def _load_allocator() -> bool:
    """Builds and loads alloc_cache.c; False where there is no C compiler (or it fails)."""
    if find_c_compiler() is None:
        return False
    try:
        load_library({"alloc_cache.c": c_source("alloc_cache.c")})
    except (EmberError, OSError) as e:  # a broken toolchain: libc's allocator serves instead
        _log.warning("ember: building the allocation cache failed (%s); compiled code allocates with malloc", e)
        return False
    return True


def load_host_runtime(uses_openmp: bool) -> None:
    _load_allocator()
    if uses_openmp:
        load_openmp_runtime()


def bind_allocation_functions(engine) -> None:
    """Where the allocation cache could not be built, libc's malloc, aligned_alloc and free
    serve the JIT-ed code of `engine` (an ExecutionEngine) instead."""
    if _load_allocator():
        return
    libc = ctypes.CDLL(None)
    for name, equivalent in zip(ALLOCATION_FUNCTIONS, _LIBC_EQUIVALENTS):
        engine.raw_register_runtime(name, ctypes.cast(getattr(libc, equivalent), ctypes.c_void_p).value)
