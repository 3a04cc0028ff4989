"""ember: an MLIR-backed research compiler for PyTorch.

    compiled = ember.compile(model, (x,))
    compiled(x)            # same numerics as model(x)
    compiled.ir("linalg")  # every stage's IR can be printed
"""

from ember.errors import (
    ArtifactError,
    CaptureError,
    EmberError,
    InputError,
    InputValueError,
    IndexCheckError,
    IsolatedCrashError,
    LoweringError,
    PassError,
    PipelineSyntaxError,
    RuntimeCheckError,
    StaleWeightsError,
)


def __getattr__(name: str):
    # `ember.compile` imports torch and torch-mlir (~1.5 s). Loading it on first use keeps the
    # tools that only need the passes (ember-opt, run by every lit test) fast to start.
    if name == "compile":
        from ember import compiler

        globals().update(compile=compiler.compile)
        return globals()[name]
    if name in ("load", "CompiledModule", "Signature", "Artifact"):
        # Loading a saved model needs neither torch-mlir nor MLIR.
        from ember.runtime import artifact, module, signature

        globals().update(load=artifact.load, CompiledModule=module.CompiledModule,
                         Signature=signature.Signature, Artifact=artifact.Artifact)
        return globals()[name]
    raise AttributeError(f"module 'ember' has no attribute {name!r}")


__all__ = [
    "compile",
    "load",
    "CompiledModule",
    "Signature",
    "Artifact",
    "ArtifactError",
    "IndexCheckError",
    "RuntimeCheckError",
    "StaleWeightsError",
    "EmberError",
    "CaptureError",
    "InputError",
    "InputValueError",
    "IsolatedCrashError",
    "LoweringError",
    "PassError",
    "PipelineSyntaxError",
]
