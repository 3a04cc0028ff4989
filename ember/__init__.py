"""ember: an MLIR-backed research compiler for PyTorch.

    compiled = ember.compile(model, (x,))
    compiled(x)            # same numerics as model(x)
    compiled.ir("linalg")  # every stage's IR can be printed
"""

from ember.errors import (
    CaptureError,
    EmberError,
    InputError,
    InputValueError,
    IsolatedCrashError,
    LoweringError,
    PassError,
    PipelineSyntaxError,
)
from ember.compiler import CompiledModule, compile

__all__ = [
    "compile",
    "CompiledModule",
    "EmberError",
    "CaptureError",
    "InputError",
    "InputValueError",
    "IsolatedCrashError",
    "LoweringError",
    "PassError",
    "PipelineSyntaxError",
]
