"""One OpenMP runtime per process for ember's parallel loops.

Compiled code calls LLVM's OpenMP entry points (`__kmpc_fork_call`, ...). In a process where
torch runs on GNU libgomp (its Linux CPU wheels), those are served by libgomp through a shim
(openmp_on_gomp.c, built here with the system C compiler and linked to torch's libgomp): eager
ops and ember's loops share one thread pool. Two runtimes, each spinning its workers after
every region, took the cores from each other wherever eager islands and compiled segments
alternate (`bench/bench.py --models alternating-b1` at 2 threads: 2x slower than at 1).

Elsewhere (no torch, torch on another runtime, no C compiler) and where `EMBER_OPENMP=libiomp5`
asks for it, the entry points come from libiomp5 (the intel-openmp wheel), as in a saved C
library. Either is loaded once, with RTLD_GLOBAL, where every module finds its symbols.
"""

import ctypes
import functools
import glob
import importlib.metadata
import logging
import os
import sys

from ember.errors import EmberError
from ember.runtime.c_build import c_source, find_c_compiler, load_library

_log = logging.getLogger("ember")


def libiomp5_path() -> str:
    # The intel-openmp wheel installs it as a data file (<prefix>/lib), outside any package.
    return str(next(f.locate() for f in importlib.metadata.files("intel-openmp") if f.name == "libiomp5.so"))


def _torch_libgomp() -> str | None:
    """The libgomp that torch loaded into this process, if it did."""
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    candidates = {os.path.realpath(p) for p in glob.glob(os.path.join(os.path.dirname(torch.__file__), "lib", "libgomp*.so*"))}
    try:
        with open("/proc/self/maps") as f:
            mapped = {line.split()[-1] for line in f if "libgomp" in line}
    except OSError:
        return None
    loaded = sorted(p for p in candidates if p in {os.path.realpath(m) for m in mapped})
    return loaded[0] if loaded else None


def _load_shim(libgomp: str) -> bool:
    if find_c_compiler() is None:
        return False
    try:
        load_library({"openmp_on_gomp.c": c_source("openmp_on_gomp.c")}, [libgomp])
    except (EmberError, OSError) as e:
        _log.warning("ember: building the OpenMP shim over torch's libgomp failed (%s); using libiomp5", e)
        return False
    return True


@functools.cache
def load_openmp_runtime() -> str:
    """Loads the process's OpenMP entry points for compiled code; returns which: "libgomp"
    (torch's, through the shim) or "libiomp5"."""
    choice = os.environ.get("EMBER_OPENMP", "auto")
    if choice not in ("auto", "libiomp5"):
        raise EmberError(f"EMBER_OPENMP must be 'auto' (torch's libgomp where torch runs on it) or 'libiomp5';"
                         f" got '{choice}'")
    libgomp = _torch_libgomp() if choice != "libiomp5" else None
    if libgomp and _load_shim(libgomp):
        _log.info("ember: parallel loops run on torch's libgomp (%s)", libgomp)
        return "libgomp"
    ctypes.CDLL(libiomp5_path(), mode=ctypes.RTLD_GLOBAL)
    return "libiomp5"


def last_team_size() -> int:
    """The team size of the latest parallel region the libgomp shim ran (for tests)."""
    return ctypes.CDLL(None).ember_omp_last_team_size()
