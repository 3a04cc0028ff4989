"""What ember's CPU schedules know about the machine they compile for: its SIMD width and its
vector register count, handed to `ember-tile-and-vectorize` as pass options by the CPU target's
pipeline (`ember-tile-and-vectorize{vector-bits=512 vector-registers=32}`), so that the pass
itself reads no /proc/cpuinfo, a lit test or `ember-opt` run names the machine it schedules
for, and the compile cache keys on it through the pipeline text.
"""

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class CpuModel:
    vector_bits: int  # the widest SIMD registers
    vector_registers: int  # how many of them

    @property
    def options(self) -> str:
        return f"vector-bits={self.vector_bits} vector-registers={self.vector_registers}"


AVX512 = CpuModel(512, 32)
AVX2 = CpuModel(256, 16)
SSE = CpuModel(128, 16)


@functools.cache
def host() -> CpuModel:
    """The model of this machine's CPU (the JIT and saved libraries compile for the host)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split() for line in f if line.startswith("flags")), [])
    except OSError:
        return SSE
    if "avx512f" in flags:
        return AVX512
    if "avx2" in flags:
        return AVX2
    return SSE
