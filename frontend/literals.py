"""Imports the model's weights as plain `DenseElementsAttr`s.

torch-mlir's FX importer stores tensor literals as `dense_resource` blobs, which upstream
MLIR's Python bindings cannot read back; ember's constant folding (`ember-fold-constants`)
needs to read them with numpy. Printed with `large_elements_limit=None`, large dense
attributes travel as hex strings, so the text hand-off stays compact. This path also skips
the importer's `tensor.tolist()` round trip, which is slow for large weights.
"""

import numpy as np
import torch
from torch_mlir.ir import DenseElementsAttr, Operation
from torch_mlir.extras.fx_importer import FxImporterHooks

# dtypes whose numpy arrays map one to one onto a signless MLIR element type.
_NUMPY_DTYPES = {torch.float32, torch.float64, torch.float16, torch.int64, torch.int32, torch.int16, torch.int8}


class DenseLiteralHooks(FxImporterHooks):
    """Resolves tensor literals to `torch.vtensor.literal` ops holding dense elements."""

    def resolve_literal(self, gni, literal, info):
        if not isinstance(literal, torch.Tensor) or literal.dtype not in _NUMPY_DTYPES or literal.numel() <= 1:
            return None  # the importer's own path (splats, bools, bf16, ...)
        array = np.ascontiguousarray(literal.detach().cpu().numpy())
        attr = DenseElementsAttr.get(array, shape=list(literal.shape))
        return Operation.create(
            "torch.vtensor.literal",
            results=[gni._cc.tensor_to_vtensor_type(literal)],
            attributes={"value": attr},
        ).result
