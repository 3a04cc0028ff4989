"""`ember-parallelize-tiles`: runs independent tiles on several cores.

Matches, outermost first, an `scf.for` over tensors whose one `iter_args` tensor is only
  - read by `tensor.extract_slice`s at the same offsets, sizes and strides as
  - the one `tensor.insert_slice` into it, whose result the loop yields,
where one of those offsets is the loop's induction variable and the slice's size along it is at
most the (static) step: each iteration then reads and writes its own slice, disjoint from every
other iteration's. That is the shape of the tile loops `ember-tile-and-vectorize` makes over
parallel dimensions; a loop over a reduction writes the same slice each time and does not match.
Produces an `scf.forall` with the tensor as `shared_outs` and the insert as its
`tensor.parallel_insert_slice`. Loops inside a converted loop stay sequential.

After bufferization `scf-forall-to-parallel` and `async-parallel-for` spread the iterations
over MLIR's async runtime's worker threads.

Limitation: in a nest of tile loops (a convolution's output rows, channels, columns) only the
innermost loop carries the insert, so only it matches, and each run of it is one parallel
dispatch; the outer loops would need their tensor sliced per iteration (new iter_args types)
to become the forall instead.
"""

from mlir import ir
from mlir.dialects import scf

from ember.passes.registry import EmberPass, register_pass


def _constant_index(value: ir.Value) -> int | None:
    owner = value.owner
    if isinstance(owner, ir.OpView) and owner.name == "arith.constant":
        attr = owner.attributes["value"]
        if isinstance(attr, ir.IntegerAttr):
            return attr.value
    return None


def _same_slice(extract, insert) -> bool:
    """Same offsets, sizes and strides (static ones, then the dynamic operands)."""
    names = ("static_offsets", "static_sizes", "static_strides")
    return all(extract.attributes[n] == insert.attributes[n] for n in names) and list(extract.operands[1:]) == list(
        insert.operands[2:]
    )


def _parallel_insert(loop) -> ir.Operation | None:
    """The loop's insert_slice if the loop's iterations touch disjoint slices; else None."""
    if len(loop.results) != 1 or len(loop.inner_iter_args) != 1:
        return None
    step = _constant_index(loop.step)
    if step is None or _constant_index(loop.lowerBound) is None:
        return None
    accumulator = loop.inner_iter_args[0]
    inserts, extracts = [], []
    for use in accumulator.uses:
        user = use.owner
        if user.name == "tensor.insert_slice" and use.operand_number == 1:
            inserts.append(user)
        elif user.name == "tensor.extract_slice" and use.operand_number == 0:
            extracts.append(user)
        else:
            return None
    if len(inserts) != 1:
        return None
    insert = inserts[0]
    yielded = list(loop.body.operations)[-1]
    if yielded.operands[0] != insert.result or len(list(insert.result.uses)) != 1:
        return None
    if not all(_same_slice(e, insert) for e in extracts):
        return None
    # The induction variable must be an offset, with a slice no wider than the step there.
    static_offsets = list(ir.DenseI64ArrayAttr(insert.attributes["static_offsets"]))
    static_sizes = list(ir.DenseI64ArrayAttr(insert.attributes["static_sizes"]))
    dynamic = iter(insert.operands[2 : 2 + sum(1 for o in static_offsets if o == ir.ShapedType.get_dynamic_size())])
    for offset, size in zip(static_offsets, static_sizes):
        if offset == ir.ShapedType.get_dynamic_size() and next(dynamic) == loop.induction_variable:
            if size != ir.ShapedType.get_dynamic_size() and size <= step:
                return insert
    return None


def _to_forall(loop, insert) -> None:
    with ir.InsertionPoint(loop), loop.location:
        lower, upper, step = [
            v if (static := _constant_index(v)) is None else static for v in (loop.lowerBound, loop.upperBound, loop.step)
        ]
        forall = scf.ForallOp([lower], [upper], [step], [loop.initArgs[0]])
        terminator = forall.terminator()
    body = list(loop.body.operations)
    loop.induction_variable.replace_all_uses_with(forall.induction_variables[0])
    loop.inner_iter_args[0].replace_all_uses_with(forall.inner_iter_args[0])
    for op in body[:-1]:
        if op != insert:
            op.operation.move_before(terminator)
    with ir.InsertionPoint(terminator.block), insert.location:
        ir.Operation.create(
            "tensor.parallel_insert_slice",
            operands=list(insert.operands),
            attributes={name: insert.attributes[name] for name in insert.attributes},
        )
    loop.results[0].replace_all_uses_with(forall.results[0])
    loop.operation.erase()


def _parallelize(block: ir.Block) -> None:
    for op in list(block.operations):
        if op.operation.name == "scf.for":
            insert = _parallel_insert(op)
            if insert is not None:
                _to_forall(op, insert)
            else:
                _parallelize(op.body)


@register_pass
class ParallelizeTiles(EmberPass):
    """Turns tile loops whose iterations write disjoint slices into scf.forall."""

    NAME = "ember-parallelize-tiles"
    SUMMARY = "Turns scf.for tile loops over disjoint tensor slices into scf.forall"

    def run(self, op) -> None:
        for func in op.regions[0].blocks[0].operations:
            if func.operation.name == "func.func" and func.regions[0].blocks:
                _parallelize(func.regions[0].blocks[0])
