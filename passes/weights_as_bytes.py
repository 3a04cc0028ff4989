"""ember-weights-as-bytes: large constant globals become flat byte arrays, which LLVM emits
with one copy.

Matches the `llvm.mlir.global`s (after the lowering to the LLVM dialect) whose initial value is
a non-splat dense elements attribute of more than `min-bytes` bytes: the model's weights.
Produces the same global as an `!llvm.array<N x i8>` of the same bytes, its alignment kept. The
code reaches a global through `llvm.mlir.addressof`, an opaque pointer, and indexes it with
GEPs that carry their own element types, so nothing that reads it changes. LLVM's code
generation emits an array of floats one element at a time and an array of bytes as one block:
BERT-base's 340 MB of weights took ~3 s of the JIT that way. Globals with other initial values
(splats, resource blobs: torch-mlir's bool constants) are left as they are; the pass logs how
many it rewrote.
"""

import logging
import math

import numpy as np
from mlir import ir

from ember.passes.registry import EmberPass, register_pass

log = logging.getLogger("ember")


@register_pass
class WeightsAsBytes(EmberPass):
    """Dense constant globals as byte arrays."""

    NAME = "ember-weights-as-bytes"
    SUMMARY = "Rewrites large dense constant LLVM globals as flat i8 arrays (one copy in code generation)"

    min_bytes: int = 4096  # smaller globals are not worth it

    def run(self, op) -> None:
        rewritten = 0
        byte = ir.IntegerType.get_signless(8)
        for global_op in op.regions[0].blocks[0].operations:
            if global_op.operation.name != "llvm.mlir.global" or "value" not in global_op.attributes:
                continue
            value = global_op.attributes["value"]
            if not isinstance(value, ir.DenseElementsAttr) or value.is_splat:
                continue
            shaped = ir.ShapedType(value.type)
            width = getattr(shaped.element_type, "width", 0)
            try:
                raw = np.asarray(value).reshape(-1).view(np.uint8)
            except (TypeError, ValueError):  # an element type without a numpy buffer (bf16, ...)
                continue
            # Only whole bytes per element, laid out as LLVM lays them out (not i1, not index).
            if not width or width % 8 or raw.size != math.prod(shaped.shape) * width // 8 or raw.size < self.min_bytes:
                continue
            with global_op.location:
                global_op.attributes["value"] = ir.DenseElementsAttr.get(raw, type=byte, shape=[raw.size])
                global_op.attributes["global_type"] = ir.TypeAttr.get(ir.Type.parse(f"!llvm.array<{raw.size} x i8>"))
            rewritten += 1
        log.info("ember-weights-as-bytes: %d globals as bytes", rewritten)
