"""Capture: torch.export → torch-mlir FX importer → torch backend IR → linalg-on-tensors text.
The entry point is `ember.frontend.capture.capture`."""
