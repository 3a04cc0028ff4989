"""Where the CUDA tools that ember uses live: the `nvidia-cuda-nvcc-cu12` wheel's folder (its
`bin/ptxas`, and `nvvm/libdevice/libdevice.10.bc` for math functions), else a system CUDA
(`CUDA_HOME`, /usr/local/cuda). Compiling to PTX needs neither; assembling it (ptxas, the
tests' check of every kernel) and math functions such as `tanh` need them."""

import functools
import importlib.util
import os
import shutil


@functools.cache
def toolkit_path() -> str | None:
    """A folder with `nvvm/libdevice`, or None."""
    spec = importlib.util.find_spec("nvidia")
    candidates = [os.path.join(p, "cuda_nvcc") for p in (spec.submodule_search_locations or [])] if spec else []
    candidates += [os.environ.get("CUDA_HOME", ""), "/usr/local/cuda"]
    for folder in candidates:
        if folder and os.path.isdir(os.path.join(folder, "nvvm", "libdevice")):
            return folder
    return None


def ptxas() -> str | None:
    """The ptxas executable, or None."""
    folder = toolkit_path()
    bundled = os.path.join(folder, "bin", "ptxas") if folder else None
    if bundled and os.access(bundled, os.X_OK):
        return bundled
    return shutil.which("ptxas")
