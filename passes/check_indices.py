"""ember-check-indices: data-dependent indices are checked against the tensor they index.

Matches `tensor.extract` in `linalg.generic` bodies whose indices are computed from the body's
arguments, that is from tensor data (`x[idx]`, `index_select`, `gather`, `embedding`), and
`memref.load`/`memref.store` in the loops of lowered tm_tensor ops whose indices are computed
from loaded data (`scatter`, `scatter_add`, `index_add`, `index_put`: a store out of range
wrote stray memory), and produces before each one `cf.assert 0 <= index < dim` per such index
("index must be larger or equal to 0" / "index must be smaller than dim size", torch-mlir's own
messages). `ember-runtime-checks` later turns them into error statuses (eager raises IndexError
there) and clamps the index, so an index out of range neither reads stray memory nor passes
silently. Indices from `linalg.index` and constants are left unchecked: the loops keep them in
range. torch-mlir already checks some ops; the duplicate checks cost a compare each.
"""

from mlir import ir
from mlir.dialects import arith, cf, memref, tensor

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import collect_ops


def _data_dependent(value: ir.Value, body: ir.Block) -> bool:
    """Whether `value` is computed (within the body) from one of the body's arguments."""
    seen, work = set(), [value]
    while work:
        v = work.pop()
        if isinstance(v, ir.BlockArgument):
            if v.owner == body:
                return True
            continue
        op = v.owner.operation
        if op in seen or op.block != body:
            continue
        seen.add(op)
        work.extend(op.operands)
    return False


def _check(extract, body: ir.Block) -> None:
    source = extract.operands[0]
    with ir.InsertionPoint(extract), extract.location:
        for dim, index in enumerate(list(extract.operands)[1:]):
            if not _data_dependent(index, body):
                continue
            size = tensor.DimOp(source, arith.ConstantOp(ir.IndexType.get(), dim).result).result
            zero = arith.ConstantOp(ir.IndexType.get(), 0).result
            cf.AssertOp(arith.CmpIOp(arith.CmpIPredicate.sge, index, zero).result, "index must be larger or equal to 0")
            cf.AssertOp(arith.CmpIOp(arith.CmpIPredicate.slt, index, size).result, "index must be smaller than dim size")


def _loaded(value: ir.Value) -> bool:
    """Whether `value` is computed from a value loaded from memory (not from loop counters)."""
    seen, work = set(), [value]
    while work:
        v = work.pop()
        if isinstance(v, ir.BlockArgument):
            continue
        op = v.owner.operation
        if op in seen:
            continue
        seen.add(op)
        if op.name in ("memref.load", "tensor.extract"):
            return True
        work.extend(op.operands)
    return False


def _check_memory_access(access) -> None:
    """Asserts each data-dependent index of a memref.load/store against the memref's dims."""
    is_store = access.name == "memref.store"
    buffer = access.operands[1] if is_store else access.operands[0]
    indices = list(access.operands)[2 if is_store else 1:]
    with ir.InsertionPoint(access), access.location:
        for dim, index in enumerate(indices):
            if not _loaded(index):
                continue
            size = memref.DimOp(buffer, arith.ConstantOp(ir.IndexType.get(), dim).result).result
            zero = arith.ConstantOp(ir.IndexType.get(), 0).result
            cf.AssertOp(arith.CmpIOp(arith.CmpIPredicate.sge, index, zero).result, "index must be larger or equal to 0")
            cf.AssertOp(arith.CmpIOp(arith.CmpIPredicate.slt, index, size).result, "index must be smaller than dim size")


@register_pass
class CheckIndices(EmberPass):
    NAME = "ember-check-indices"
    SUMMARY = "Asserts that data-dependent indices (tensor.extract in linalg bodies, memref.load/store) are in range"

    def run(self, op) -> None:
        for generic in collect_ops(op, lambda o: o.name == "linalg.generic"):
            body = generic.regions[0].blocks[0]
            for extract in [o for o in body.operations if o.operation.name == "tensor.extract"]:
                _check(extract, body)
        for access in collect_ops(op, lambda o: o.name in ("memref.load", "memref.store")):
            _check_memory_access(access)
