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
where eager reaches 140. An odd stride spreads the rows over every set. Convolution filters
(rank 4, [C, KH, KW, F] after ember-conv-channels-inner) are padded along F only where their
C*KH*KW rows, at their stride, would not fit in the L2 sets that stride reaches (`l2-sets` sets
of `l2-ways` lines): a register-blocked convolution reads a column panel of 16-32 filter floats
per row, and a panel that misses in L2 is read from L3 again by every output row block (128
channels at 28x28, rows 512 bytes apart: 1152 rows in 128 of 1024 sets). A filter whose panel
does fit keeps its stride, which confines the panel to a few L1 sets and leaves the others to
the image (64 channels at 56x56: 77 GFLOP/s unpadded, 68 padded). Other constants are left
alone; the pass logs how many it padded.
"""

import logging
import math

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
    l2_sets: int = 1024  # the L2 cache's sets (Zen 3: 512 KB of 8 ways; larger caches only pad less often)
    l2_ways: int = 8

    def run(self, op) -> None:
        padded = 0
        for constant in collect_ops(op, lambda o: o.name == "arith.constant"):
            value = constant.attributes["value"]
            if not isinstance(value, ir.DenseElementsAttr) or value.is_splat:
                continue
            shaped = ir.ShapedType(value.type)
            if shaped.rank not in (2, 4) or not isinstance(shaped.element_type, (ir.F32Type, ir.F16Type, ir.F64Type)):
                continue
            rows, columns = math.prod(shaped.shape[:-1]), shaped.shape[-1]
            row_bytes = columns * shaped.element_type.width // 8
            if row_bytes % (2 * LINE) or rows * row_bytes < self.min_bytes:
                continue
            if shaped.rank == 4 and rows <= self._lines_reached(row_bytes // LINE):
                continue
            if not _read_by_contraction(constant.results[0]):
                continue
            array = np.asarray(value)
            extra = LINE * 8 // shaped.element_type.width
            wide = np.pad(array, ((0, 0),) * (shaped.rank - 1) + ((0, extra),))
            with constant.location, ir.InsertionPoint(constant):
                attr = ir.DenseElementsAttr.get(wide, type=shaped.element_type)
                source = arith.ConstantOp(attr.type, attr).result
                view = tensor.ExtractSliceOp(shaped, source, [], [], [], [0] * shaped.rank, shaped.shape,
                                             [1] * shaped.rank).result
            constant.results[0].replace_all_uses_with(view)
            constant.erase()
            padded += 1
        log.info("ember-pad-weight-rows: %d weights padded", padded)

    def _lines_reached(self, stride: int) -> int:
        """How many lines a column of rows `stride` lines apart can keep in L2."""
        return self.l2_ways * self.l2_sets // math.gcd(stride, self.l2_sets)
