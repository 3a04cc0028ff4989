"""ember: an MLIR-backed research compiler for PyTorch.

    compiled = ember.compile(model, (x,))
    compiled(x)            # same numerics as model(x)
    compiled.ir("linalg")  # every stage's IR can be printed
"""

from ember.errors import (
    ArtifactError,
    CaptureError,
    EagerRaisesError,
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
    ZeroDivisionCheckError,
)

import logging as _logging
import os as _os

# EMBER_LOG=info|debug: what the compiler decides (cache hits, refused rewrites, ...) on stderr.
if _os.environ.get("EMBER_LOG"):
    _handler = _logging.StreamHandler()
    _handler.setFormatter(_logging.Formatter("ember: %(message)s"))
    _logging.getLogger("ember").addHandler(_handler)
    _logging.getLogger("ember").setLevel(_os.environ["EMBER_LOG"].upper())
    _logging.getLogger("ember").propagate = False


def __getattr__(name: str):
    # `ember.compile` imports torch and torch-mlir (~1.5 s). Loading it on first use keeps the
    # tools that only need the passes (ember-opt, run by every lit test) fast to start.
    if name == "compile":
        from ember.interrupts import deferred

        with deferred():  # a Ctrl-C inside a first import would break that module for good
            from ember import compiler

            compiler.warm_up()
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
    "ZeroDivisionCheckError",
    "RuntimeCheckError",
    "StaleWeightsError",
    "EmberError",
    "CaptureError",
    "EagerRaisesError",
    "InputError",
    "InputValueError",
    "IsolatedCrashError",
    "LoweringError",
    "PassError",
    "PipelineSyntaxError",
]
