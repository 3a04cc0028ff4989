"""ember-vectorize-copies: writes a `memref.copy` between strided views as loops of vector
loads and stores along the contiguous innermost dimension.

Matches `memref.copy` ops with static shapes whose source and target both have unit stride in
their innermost dimension (of at most `max-row` elements) and not both contiguous (those
lower to one memcpy), and produces `scf.for` loops over the outer dimensions whose body is one
`vector.transfer_read` of a row and one `vector.transfer_write` of it; a row longer than
`chunk-bytes` moves in a loop of chunks (the largest divisor of the row that fits). Why: such a
copy (a padded convolution input's interior, which tensor-level canonicalization always folds
back into a copy) lowers in finalize-memref-to-llvm to `memrefCopy`, a runtime call that moves
one element at a time. Why chunks: LLVM's loop unroller costs a `load <224 x float>` as one
instruction, unrolled the row loop of a 224-wide image 32 times into one block of 3,000 AVX2
loads and stores, and its schedulers, quadratic in a block's memory ops, then took 4.3 of
ResNet-18's 7.4 s of code generation. Copies it refuses (dynamic shapes, a strided innermost dimension, long rows)
are logged to the `ember` logger and left as they are.
"""

import logging

from mlir import ir
from mlir.dialects import arith, scf, vector

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import ops_named

log = logging.getLogger("ember")


def _unit_inner_stride(memref: ir.MemRefType) -> bool:
    strides, _ = memref.get_strides_and_offset()
    return strides[-1] == 1


def _contiguous(memref: ir.MemRefType) -> bool:
    """Row-major with no gaps (finalize-memref-to-llvm copies such views with one memcpy)."""
    strides, _ = memref.get_strides_and_offset()
    expected, step = [], 1
    for extent in reversed(memref.shape):
        expected.insert(0, step)
        step *= extent
    return all(s == e or n == 1 for s, e, n in zip(strides, expected, memref.shape))


def _chunk(row: int, most: int) -> int:
    """The elements one vector moves: the largest divisor of `row` up to `most`, or the whole row
    where no divisor comes within 4x of `most` (a prime row: one long vector beats scalars)."""
    chunk = max(d for d in range(1, min(row, most) + 1) if row % d == 0)
    return chunk if chunk * 4 >= min(row, most) else row


def _rewrite(copy: ir.Operation, max_row: int, chunk_bytes: int) -> bool:
    source, target = copy.operands
    types = [ir.MemRefType(v.type) for v in (source, target)]
    if not all(t.has_static_shape and t.rank > 0 for t in types):
        return _refuse(copy, "dynamic or 0-d shapes")
    if all(_contiguous(t) for t in types):
        return False  # a memcpy already
    if not all(_unit_inner_stride(t) for t in types) or types[0].shape[-1] > max_row:
        return _refuse(copy, "a strided innermost dimension or a row longer than max-row")
    shape, element = types[0].shape, types[0].element_type
    chunk = _chunk(shape[-1], max(1, chunk_bytes * 8 // getattr(element, "width", 64)))
    row = ir.VectorType.get([chunk], element, loc=copy.location)
    in_bounds = ir.ArrayAttr.get([ir.BoolAttr.get(True)])
    row_map = ir.AffineMapAttr.get(ir.AffineMap.get_minor_identity(len(shape), 1))
    with ir.InsertionPoint(copy), copy.location:
        index = ir.IndexType.get()
        zero, one = arith.constant(index, 0), arith.constant(index, 1)
        padding = arith.constant(element, 0.0 if isinstance(element, ir.FloatType) else 0)

        def rows(indices: list) -> None:
            if len(indices) == len(shape) - 1 and chunk == shape[-1] or len(indices) == len(shape):
                at = indices if len(indices) == len(shape) else indices + [zero]
                values = vector.TransferReadOp(row, source, at, row_map, padding, in_bounds).result
                vector.TransferWriteOp(None, values, target, at, row_map, in_bounds)
                return
            last = len(indices) == len(shape) - 1  # the loop over a long row's chunks
            loop = scf.ForOp(zero, arith.constant(index, shape[len(indices)]), arith.constant(index, chunk) if last else one)
            with ir.InsertionPoint(loop.body):
                rows(indices + [loop.induction_variable])
                scf.YieldOp([])

        rows([])
    copy.erase()
    return True


def _refuse(copy: ir.Operation, why: str) -> bool:
    log.info("ember-vectorize-copies: left a memref.copy as it is (%s) at %s", why, copy.location)
    return False


@register_pass
class VectorizeCopies(EmberPass):
    NAME = "ember-vectorize-copies"
    SUMMARY = "Writes memref.copy between strided views as loops of vector row loads and stores"

    max_row: int = 1024  # the longest innermost dimension copied by vectors
    chunk_bytes: int = 256  # the most one vector moves (4 AVX-512 or 8 AVX2 registers)

    def run(self, op):
        for copy in ops_named(op, "memref.copy"):
            _rewrite(copy, self.max_row, self.chunk_bytes)
