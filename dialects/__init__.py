"""ember's own dialect, and the upstream MLIR contexts that always carry it."""

from importlib import resources

from mlir import ir
from mlir.dialects import irdl

_DEFINITION = resources.files(__package__).joinpath("ember.irdl.mlir").read_text()


def load_ember_dialect(context: ir.Context) -> None:
    with context:
        irdl.load_dialects(ir.Module.parse(_DEFINITION))


def new_context() -> ir.Context:
    """An upstream MLIR context with the ember dialect loaded. Error diagnostics stay attached
    to the MLIRError exceptions that the bindings raise (`error_diagnostics`)."""
    context = ir.Context()
    load_ember_dialect(context)
    return context
