"""ember-pad-weight-rows: weight matrices whose rows are an even number of cache lines long get
one line of padding per row, read through a slice.

Matches `arith.constant`s of rank-2 dense floats (weights after ember-fold-constants' transposes)
of at least `min-bytes` bytes that a contraction (`linalg.generic` with a reduction) reads and
whose rows are a multiple of two 64-byte cache lines. Produces a constant with one cache line
more per row (zeros) and a `tensor.extract_slice` of the original extent in place of every use:
the same values, with a row stride that is an odd number of lines. A register-blocked matmul
reads a column panel of the weights (32 floats of each of K rows); with rows 3072 floats long
(BERT-base's feed-forward: 12 KB, three pages) every row of the panel falls into the same L1 set
and a few L2 sets, and the panel, re-read by each row block, did not stay in cache: 42-62 GFLOP/s
where eager reaches 140. An odd stride spreads the rows over every set. Other constants are
left alone; the pass logs how many it padded.
"""

import logging

import numpy as np
from mlir import ir
from mlir.dialects import arith, tensor

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import collect_ops, iterator_types

log = logging.getLogger("ember")
LINE = 64  # bytes


def _read_by_contraction(value: ir.Value) -> bool:
    """Whether an op with a reduction loop (a linalg op) reads `value` as an input."""
    for use in value.uses:
        owner = use.owner.operation
        if "reduction" in (iterator_types(owner) or ()) and use.operand_number < len(owner.operands) - len(owner.results):
            return True
    return False


@register_pass
class PadWeightRows(EmberPass):
    """Weights with rows of an even number of cache lines: one line of padding per row."""

    NAME = "ember-pad-weight-rows"
    SUMMARY = "Pads the rows of large weight matrices to an odd number of cache lines (no cache-set conflicts)"

    min_bytes: int = 65536  # smaller matrices stay in cache whatever their stride

    def run(self, op) -> None:
        padded = 0
        for constant in collect_ops(op, lambda o: o.name == "arith.constant"):
            value = constant.attributes["value"]
            if not isinstance(value, ir.DenseElementsAttr) or value.is_splat:
                continue
            shaped = ir.ShapedType(value.type)
            if shaped.rank != 2 or not isinstance(shaped.element_type, (ir.F32Type, ir.F16Type, ir.F64Type)):
                continue
            rows, columns = shaped.shape
            row_bytes = columns * shaped.element_type.width // 8
            if row_bytes % (2 * LINE) or rows * row_bytes < self.min_bytes:
                continue
            if not _read_by_contraction(constant.results[0]):
                continue
            array = np.asarray(value)
            extra = LINE * 8 // shaped.element_type.width
            wide = np.pad(array, ((0, 0), (0, extra)))
            with constant.location, ir.InsertionPoint(constant):
                attr = ir.DenseElementsAttr.get(wide, type=shaped.element_type)
                source = arith.ConstantOp(attr.type, attr).result
                view = tensor.ExtractSliceOp(shaped, source, [], [], [], [0, 0], [rows, columns], [1, 1]).result
            constant.results[0].replace_all_uses_with(view)
            constant.erase()
            padded += 1
        log.info("ember-pad-weight-rows: %d weights padded", padded)
