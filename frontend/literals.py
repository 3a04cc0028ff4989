"""Imports the model's weights as plain `DenseElementsAttr`s.

torch-mlir's FX importer stores tensor literals as `dense_resource` blobs, which upstream
MLIR's Python bindings cannot read back; ember's constant folding (`ember-fold-constants`)
needs to read them with numpy. Printed with `large_elements_limit=None`, large dense
attributes travel as hex strings, so the text hand-off stays compact. This path also skips
the importer's `tensor.tolist()` round trip, which is slow for large weights.
"""

import numpy as np
import torch
from torch_mlir.ir import DenseElementsAttr, Operation, WalkOrder, WalkResult
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


# Weights travel beside the IR text, not in it: printed in full, a large constant is a hex
# string twice its size, which torch-mlir prints and upstream MLIR parses again (BERT-base:
# 680 MB of text, ~7 s). The text elides every large constant instead (MLIR's
# `large_elements_limit`) and the arrays follow in the order the printer met them.
ELIDED_LIMIT = 16


def _named_attributes(op):
    """An op's attributes with their names (torch-mlir's bindings and upstream's alike)."""
    attributes = op.attributes
    return (attributes[i] for i in range(len(attributes)))


def split_weights(module) -> tuple[str, tuple]:
    """torch-mlir's linalg module as text with its large constants elided, and their values:
    one (attribute name, numpy array) per elided attribute, in the order of a pre-order walk. A
    constant without a numpy buffer leaves the text whole (and no arrays)."""
    taken = []

    def visit(op):
        for named in _named_attributes(op):
            attr = named.attr
            if isinstance(attr, DenseElementsAttr) and not attr.is_splat and len(attr) > ELIDED_LIMIT:
                taken.append((named.name, np.array(attr, copy=True)))
        return WalkResult.ADVANCE

    try:
        module.operation.walk(visit, WalkOrder.PRE_ORDER)
    except Exception:  # noqa: BLE001 (an element type numpy has no buffer for: bf16, ...)
        taken = None
    text = module.operation.get_asm(large_elements_limit=ELIDED_LIMIT, enable_debug_info=True)
    if taken is None or text.count("dense_resource<__elided__>") != len(taken):  # elided beyond these
        return module.operation.get_asm(large_elements_limit=None, enable_debug_info=True), ()
    return text, tuple(taken)


def restore_weights(module, weights: tuple) -> bool:
    """Puts the arrays of `split_weights` back into the parsed module (upstream MLIR's), in
    place of the elided attributes, matched by walk order and name and checked by type. False
    where they do not match one to one (a bug: the module is then unusable)."""
    from mlir import ir

    elided = []

    def visit(op):
        for named in _named_attributes(op):
            if str(named.attr).startswith("dense_resource<__elided__>"):
                elided.append((op, named.name, named.attr.type))
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit, ir.WalkOrder.PRE_ORDER)
    if len(elided) != len(weights):
        return False
    for (op, name, shaped), (taken_name, array) in zip(elided, weights):
        shaped = ir.ShapedType(shaped)
        if name != taken_name or list(array.shape) != list(shaped.shape):
            return False
        element = shaped.element_type
        if array.dtype == np.bool_:
            array = np.packbits(array, axis=None, bitorder="little")
        attr = ir.DenseElementsAttr.get(array, type=element, shape=list(shaped.shape))
        if attr.type != shaped:
            return False
        op.attributes[name] = attr
    return True
