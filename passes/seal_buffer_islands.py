"""ember-seal-buffer-islands: makes the loops that torch-mlir lowers its `tm_tensor` ops to
(sort, scan, scatter, topk) acceptable to One-Shot Bufferize.

torch-mlir's `tm-tensor-bufferize` + `tm-tensor-to-loops` (run in capture, where that dialect
exists) leave each such op as an island of buffer code inside tensor IR:

    %in = bufferization.to_buffer %t
    %alloc = memref.alloc()
    %r = bufferization.to_tensor %alloc      // before the loops that fill %alloc
    memref.copy %in, %alloc
    scf.for ... { memref.load / memref.store %alloc ... }
    ... uses of %r

Matches: the one `bufferization.to_tensor` of a `memref.alloc` in the same block that nothing
deallocates, and `to_buffer`.
Produces: the `to_tensor` moved after the last op of its block that touches the alloc and marked
`restrict writable` (from there on the tensor is the buffer's only user, which is what those
flags promise; One-Shot Bufferize rejects a `to_tensor` without `restrict`); a `to_buffer` whose
buffer is only read is placed (cloned) just before each op that reads it, so that the tensor is
read there, and marked `read_only`, so that bufferization need not copy its tensor.
A `to_tensor` with a user before that point fails the pass with its location.
"""

from mlir import ir

from ember.passes.registry import EmberPass, PassFailure, register_pass

_READS = {"memref.load": 0, "memref.copy": 0, "memref.dim": 0}  # op → operand index it only reads


def _ancestor_in(block: ir.Block, op: ir.Operation) -> ir.Operation | None:
    """`op` or the op that holds it, whichever lies in `block`."""
    op = op.operation
    while op is not None:
        if op.block == block:
            return op
        op = op.parent.operation if op.parent is not None and op.parent.name != "builtin.module" else None
    return None


def _last_toucher(alloc: ir.Value, block: ir.Block, except_op: ir.Operation) -> ir.Operation:
    last = alloc.owner.operation
    for use in alloc.uses:
        user = _ancestor_in(block, use.owner)
        if user is not None and user != except_op and last.is_before_in_block(user):
            last = user
    return last


def _seal_to_tensor(op: ir.Operation) -> bool:
    source = op.operands[0]
    if not isinstance(source, ir.OpResult):
        return True
    alloc = source.owner.operation
    if alloc.name != "memref.alloc" or alloc.block != op.block:
        return True
    users = [use.owner.name for use in source.uses]
    # `restrict` promises one tensor per buffer, and a freed buffer cannot become a tensor.
    if users.count("bufferization.to_tensor") > 1 or "memref.dealloc" in users:
        return True
    last = _last_toucher(source, op.block, op)
    for use in op.results[0].uses:
        user = _ancestor_in(op.block, use.owner)
        if user is not None and user.is_before_in_block(last):
            op.location.emit_error(
                f"ember-seal-buffer-islands: this tensor is used by '{use.owner.name}' before the loops"
                " that fill its buffer end"
            )
            return False
    if last != op and op.is_before_in_block(last):
        op.move_after(last)
    op.attributes["restrict"] = ir.UnitAttr.get()
    op.attributes["writable"] = ir.UnitAttr.get()
    return True


def _read_where_used(op: ir.Operation) -> None:
    """A `to_buffer` whose buffer is only read, cloned to just before each op of its block that
    reads it (one clone per island), so that One-Shot Bufferize sees the tensor read there. One
    `to_buffer` that CSE shared between two islands read the tensor for both at the first: an
    op between them then wrote in place into the tensor's buffer, and the second island copied
    what it wrote (a median's sort read a NaN mask as its indices)."""
    uses = list(op.results[0].uses)
    if not uses or not all(_READS.get(u.owner.name) == u.operand_number for u in uses):
        return
    groups: dict = {}
    for use in uses:
        reader = _ancestor_in(op.block, use.owner)
        if reader is None:
            return
        groups.setdefault(reader, []).append((use.owner, use.operand_number))
    readers = sorted(groups, key=lambda r: sum(1 for other in groups if other.is_before_in_block(r)))
    op.move_before(readers[0])
    for reader in readers[1:]:
        clone = op.clone(ip=ir.InsertionPoint(reader))
        for owner, operand in groups[reader]:
            owner.operands[operand] = clone.results[0]


def _mark_read_only(op: ir.Operation) -> None:
    uses = list(op.results[0].uses)
    if uses and all(_READS.get(u.owner.name) == u.operand_number for u in uses):
        op.attributes["read_only"] = ir.UnitAttr.get()


@register_pass
class SealBufferIslands(EmberPass):
    NAME = "ember-seal-buffer-islands"
    SUMMARY = "Marks the buffer islands of lowered tm_tensor ops restrict/read_only for One-Shot Bufferize"

    def run(self, op) -> None:
        to_tensors, to_buffers = [], []

        def collect(inner):
            name = inner.operation.name
            if name == "bufferization.to_tensor":
                to_tensors.append(inner.operation)
            elif name == "bufferization.to_buffer":
                to_buffers.append(inner.operation)
            return ir.WalkResult.ADVANCE

        op.walk(collect, ir.WalkOrder.PRE_ORDER)
        for to_buffer in to_buffers:
            _read_where_used(to_buffer)
        to_buffers = []
        op.walk(lambda inner: (to_buffers.append(inner.operation) if inner.operation.name == "bufferization.to_buffer"
                               else None) or ir.WalkResult.ADVANCE, ir.WalkOrder.PRE_ORDER)
        sealed = [_seal_to_tensor(t) for t in to_tensors]
        for to_buffer in to_buffers:
            _mark_read_only(to_buffer)
        if not all(sealed):
            raise PassFailure()
