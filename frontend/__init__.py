"""Capture: torch.export → torch-mlir FX importer → torch backend IR → linalg-on-tensors text."""

from ember.frontend.capture import CapturedModel, TensorSpec, capture

__all__ = ["CapturedModel", "TensorSpec", "capture"]
