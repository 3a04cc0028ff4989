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


def __getattr__(name: str):
    # `ember.compile` imports torch and torch-mlir (~1.5 s). Loading it on first use keeps the
    # tools that only need the passes (ember-opt, run by every lit test) fast to start.
    if name in ("compile", "CompiledModule"):
        from ember import compiler

        globals().update(compile=compiler.compile, CompiledModule=compiler.CompiledModule)
        return globals()[name]
    raise AttributeError(f"module 'ember' has no attribute {name!r}")


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
