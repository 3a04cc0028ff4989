"""The exceptions a user of ember can meet. Every one is an `EmberError`."""


class EmberError(Exception):
    """Base of every error ember raises on purpose."""


class InputError(EmberError, TypeError):
    """A compiled module was called with arguments that do not match its signature."""


class InputValueError(EmberError, ValueError):
    """An argument has the right type but the wrong shape, rank or device."""


class CaptureError(EmberError):
    """torch.export or the torch-mlir importer could not capture the model."""


class EagerRaisesError(CaptureError):
    """The model raises at the example inputs in eager PyTorch too (a reduction over an empty
    dim, a shape mismatch): there is nothing to compile. Each is also an instance of the class
    eager raised (see `eager_raises_error`)."""

    eager_class = Exception

    def __reduce__(self):  # the classes are made on demand: pickled by the class they stand for
        return _eager_raises, (self.eager_class, str(self))


def _eager_raises(eager_class: type, message: str):
    return eager_raises_error(eager_class)(message)


_EAGER_RAISES = {}


def eager_raises_error(eager_class: type) -> type:
    """The EagerRaisesError that is also `eager_class` (IndexError, RuntimeError, ...), so that
    `except IndexError` catches ember's error where it catches eager's; only Python's own
    exception classes, whose constructors take a message."""
    if eager_class.__module__ != "builtins" or not issubclass(eager_class, Exception):
        return EagerRaisesError
    if eager_class not in _EAGER_RAISES:
        _EAGER_RAISES[eager_class] = type(f"EagerRaises{eager_class.__name__}", (EagerRaisesError, eager_class),
                                          {"__module__": __name__, "__doc__": EagerRaisesError.__doc__,
                                           "eager_class": eager_class})
    return _EAGER_RAISES[eager_class]


class LoweringError(EmberError):
    """A torch op could not be lowered to linalg; names the op and the user's source line.
    `ops`: the names of the ops that failed (`aten._linalg_eigh`), where known."""

    def __init__(self, message: str, ops: tuple[str, ...] = ()):
        super().__init__(message)
        self.ops = tuple(ops)


class PassError(EmberError):
    """A pass in the pipeline failed; `reproducer` is the path of a file that replays it."""

    def __init__(self, message: str, reproducer: str | None = None):
        super().__init__(message)
        self.reproducer = reproducer


class PipelineSyntaxError(EmberError, ValueError):
    """A pass pipeline string could not be parsed or names an unknown pass."""


class IsolatedCrashError(EmberError):
    """A compile stage run in a child process died of a signal (a native abort in MLIR/LLVM);
    `stage` names the stage, `reproducer` is the path of a file that replays the crash."""

    def __init__(self, message: str, stage: str | None = None, reproducer: str | None = None):
        super().__init__(message)
        self.stage = stage
        self.reproducer = reproducer


class RuntimeCheckError(EmberError, RuntimeError):
    """A check in the compiled code failed while it ran (an integer division by zero, an index
    out of range, ...); no output of that call is returned."""


class IndexCheckError(RuntimeCheckError, IndexError):
    """An index out of range, where eager PyTorch raises IndexError."""


class ZeroDivisionCheckError(RuntimeCheckError, ZeroDivisionError):
    """A Python number divided by a computed zero (`x.sum().item() / x.max().item()`), where
    Python raises ZeroDivisionError."""


class StaleWeightsError(EmberError):
    """A parameter or buffer of the model changed after it was compiled (ember folds them into
    the compiled code): compile it again."""


class ArtifactError(EmberError):
    """A saved `.ember` file cannot be loaded here: another format version, a truncated or
    corrupted file, or native code for CPU features this host lacks."""


class FallbackWarning(UserWarning):
    """Part of a model runs eagerly (`ember.compile(..., fallback="eager")`): the warning names
    the ops and the user's source lines."""


def runtime_error_class(kind: str) -> type[RuntimeCheckError]:
    """The error class of a runtime check, by the name of the exception eager raises."""
    return {"IndexError": IndexCheckError, "ZeroDivisionError": ZeroDivisionCheckError}.get(kind, RuntimeCheckError)
