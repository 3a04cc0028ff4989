"""Capture: torch.export → torch-mlir FX importer → torch backend IR → linalg-on-tensors text.
The entry point is `ember.frontend.capture.capture`."""

# Upstream MLIR's libraries must be loaded before torch-mlir's, which the frontend modules import:
# the other way round, upstream's JIT resolves external symbols such as `memcpy` wrongly
# ("JIT session error: Symbols not found") and the compiled module has no entry point.
import mlir.ir  # noqa: E402,F401
