"""The system C compiler, for what ember links or builds in C: a saved artifact's shared
library, the C export, and the host runtime library of this process (ember.runtime.host_runtime)."""

import ctypes
import os
import shutil
import subprocess
import tempfile

from ember.errors import EmberError

_HERE = os.path.dirname(__file__)


def find_c_compiler() -> str | None:
    return os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")


def c_compiler() -> str:
    compiler = find_c_compiler()
    if not compiler:
        raise EmberError("saving native code needs a C compiler to link it (cc, gcc or clang on PATH, or $CC)")
    return compiler


def c_source(name: str) -> str:
    """One of ember's C sources (ember/runtime/*.c)."""
    with open(os.path.join(_HERE, name)) as f:
        return f.read()


def runtime_sources() -> dict[str, str]:
    """The C runtime that native code links in place of MLIR's runner utils: memrefCopy, and the
    allocation functions of finalize-memref-to-llvm{use-generic-functions}."""
    return {name: c_source(name) for name in ("memref_copy.c", "alloc_cache.c")}


def link_shared(objects: dict[str, bytes], sources: dict[str, str] = (), extra: list[str] = (),
                exported: str | None = None) -> bytes:
    """Links object files (and compiles C sources) into one shared library; returns its bytes.
    `exported` (a glob such as `mlp_*`) hides every other symbol."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        if exported:
            script = os.path.join(tmp, "exports.map")
            with open(script, "w") as f:
                f.write(f"{{ global: {exported}; local: *; }};\n")
            extra = [*extra, f"-Wl,--version-script={script}"]
        for name, data in [*objects.items(), *dict(sources).items()]:
            path = os.path.join(tmp, name)
            with open(path, "wb" if isinstance(data, bytes) else "w") as f:
                f.write(data)
            paths.append(path)
        output = os.path.join(tmp, "lib.so")
        command = [c_compiler(), "-shared", "-O2", "-fPIC", "-pthread", "-o", output, *paths, *extra, "-lm"]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            raise EmberError(f"linking the native code failed: {' '.join(command)}\n{done.stderr}")
        with open(output, "rb") as f:
            return f.read()


def load_library(sources: dict[str, str], extra: list[str] = ()) -> ctypes.CDLL:
    """`sources` built into a shared library and loaded with RTLD_GLOBAL, where the code that
    this process JITs or loads finds its symbols; its file is removed (the mapping stays)."""
    with tempfile.TemporaryDirectory(prefix="ember-runtime-") as tmp:
        path = os.path.join(tmp, "lib.so")
        with open(path, "wb") as f:
            f.write(link_shared({}, sources, extra))
        return ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
