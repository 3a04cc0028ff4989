"""`ember-parallelize-tiles`: runs independent tiles on several cores.

Matches, outermost first, an `scf.for` over tensors that carries one tensor and either
  - updates one slice of it: the tensor is only read by `tensor.extract_slice`s of the same
    offsets, sizes and strides as the one `tensor.insert_slice` into it, which the loop yields; or
  - hands it as the init to one nested loop of the same kind and yields that loop's result
    (a nest of tile loops: a convolution's output rows, channels, columns),
where the innermost slice's offset along some dimension is this loop's induction variable and
its size there at most the (static) step: every iteration then reads and writes only its own
slab along that dimension, disjoint from every other iteration's. That is the shape of the tile
loops `ember-tile-and-vectorize` makes over parallel dimensions; a loop over a reduction writes
the same slice each time and does not match.

Produces an `scf.forall` with the tensor as `shared_outs`: a single loop's insert becomes its
`tensor.parallel_insert_slice`; for a nest, each iteration extracts its own slab, the inner loops
carry the slab (their slices shifted to offset 0 along that dimension), and the slab is the
parallel insert. Loops inside a converted loop stay sequential, and so do loops inside a
sequential loop (they would be dispatched on every trip), nests with less than `min-work`
element-iterations (output elements times the trip counts of the loops inside; a dynamic dim
counts as 1, the least it can be). The pass logs how many loops it made parallel and how many
stayed sequential, and why (`EMBER_LOG=info`; each loop with its location at `debug`).

After bufferization `scf-forall-to-parallel` and `convert-scf-to-openmp` share the iterations
out among OpenMP threads.
"""

import collections
import logging
import math

from mlir import ir
from mlir.dialects import arith, scf, tensor

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import constant_int

log = logging.getLogger("ember")


def _same_slice(extract, insert) -> bool:
    """Same offsets, sizes and strides (static ones, then the dynamic operands)."""
    names = ("static_offsets", "static_sizes", "static_strides")
    return all(extract.attributes[n] == insert.attributes[n] for n in names) and list(extract.operands[1:]) == list(
        insert.operands[2:]
    )


def _nest(loop) -> tuple[list, ir.Operation, list] | None:
    """(the loops from `loop` inward, the one insert_slice, the extract_slices of the same slice)
    when `loop` carries one tensor, hands it on as the init of a nested loop of the same kind,
    or updates one slice of it, which it yields; else None."""
    if len(loop.results) != 1 or len(loop.inner_iter_args) != 1:
        return None
    uses = list(loop.inner_iter_args[0].uses)
    yielded = list(loop.body.operations)[-1].operands[0]
    if len(uses) == 1 and uses[0].owner.name == "scf.for":
        inner = uses[0].owner
        if uses[0].operand_number != 3 or yielded != inner.results[0] or len(list(inner.results[0].uses)) != 1:
            return None  # operand 3: the first init (after lower bound, upper bound, step)
        found = _nest(inner)
        return None if found is None else ([loop, *found[0]], found[1], found[2])
    inserts, extracts = [], []
    for use in uses:
        user = use.owner
        if user.name == "tensor.insert_slice" and use.operand_number == 1:
            inserts.append(user)
        elif user.name == "tensor.extract_slice" and use.operand_number == 0:
            extracts.append(user)
        else:
            return None
    if len(inserts) != 1 or yielded != inserts[0].result or len(list(inserts[0].result.uses)) != 1:
        return None
    if not all(_same_slice(e, inserts[0]) for e in extracts):
        return None
    return [loop], inserts[0], extracts


def _disjoint_dim(loop, insert) -> tuple[int, int] | None:
    """(dimension, index among the dynamic offsets) where the slice's offset is the loop's
    induction variable and its size at most the (static) step; else None."""
    step = constant_int(loop.step)
    if step is None or constant_int(loop.lowerBound) is None:
        return None
    dynamic_size = ir.ShapedType.get_dynamic_size()
    static_offsets = list(ir.DenseI64ArrayAttr(insert.attributes["static_offsets"]))
    static_sizes = list(ir.DenseI64ArrayAttr(insert.attributes["static_sizes"]))
    dynamic = 0
    for dim, (offset, size) in enumerate(zip(static_offsets, static_sizes)):
        if offset == dynamic_size:
            if insert.operands[2 + dynamic] == loop.induction_variable and size != dynamic_size and size <= step:
                return dim, dynamic
            dynamic += 1
    return None


def _static_bounds(loop) -> list:
    return [v if (static := constant_int(v)) is None else static for v in (loop.lowerBound, loop.upperBound, loop.step)]


def _to_forall(loop, insert) -> None:
    with ir.InsertionPoint(loop), loop.location:
        lower, upper, step = _static_bounds(loop)
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


def _nest_to_forall(chain: list, insert, extracts: list, dim: int, dynamic_index: int) -> None:
    """The outer loop of `chain` becomes the forall; each iteration takes its own slice of the
    tensor (the step's extent along `dim`), and the inner loops carry that slice instead, their
    slice updates shifted to offset 0 along `dim`."""
    outer = chain[0]
    full = ir.RankedTensorType(outer.results[0].type)
    shape = list(full.shape)
    shape[dim] = list(ir.DenseI64ArrayAttr(insert.attributes["static_sizes"]))[dim]
    with outer.location:
        part = ir.RankedTensorType.get(shape, full.element_type)
        slice_attrs = dict(
            static_offsets=[0] * dim + [ir.ShapedType.get_dynamic_size()] + [0] * (len(shape) - dim - 1),
            static_sizes=shape,
            static_strides=[1] * len(shape),
        )
    with ir.InsertionPoint(outer), outer.location:
        lower, upper, step = _static_bounds(outer)
        forall = scf.ForallOp([lower], [upper], [step], [outer.initArgs[0]])
        terminator = forall.terminator()
    index, shared = forall.induction_variables[0], forall.inner_iter_args[0]
    outer.induction_variable.replace_all_uses_with(index)
    with ir.InsertionPoint(terminator), outer.location:
        zero = arith.ConstantOp(ir.IndexType.get(), 0).result
        # A slab spans every other dim whole: a dynamic one (a batch) by the tensor's own size.
        sizes = [tensor.DimOp(shared, arith.ConstantOp(ir.IndexType.get(), d).result).result
                 for d in range(len(shape)) if d != dim and full.is_dynamic_dim(d)]
        own = tensor.ExtractSliceOp(part, shared, [index], sizes, [], **slice_attrs).result

    def shift(op, first_offset: int) -> None:
        op.operation.operands[first_offset + dynamic_index] = zero

    def move_body(old, rest: list, carried: ir.Value, anchor) -> ir.Value:
        """Moves `old`'s body before `anchor`, carrying `carried`; returns the value it yields."""
        old.inner_iter_args[0].replace_all_uses_with(carried)
        result = None
        for op in list(old.body.operations)[:-1]:
            if rest and op == rest[0]:
                inner = rest[0]
                with ir.InsertionPoint(anchor), inner.location:
                    new = scf.ForOp(inner.lowerBound, inner.upperBound, inner.step, [carried])
                with ir.InsertionPoint(new.body), inner.location:
                    new_yield = scf.YieldOp([new.inner_iter_args[0]])
                inner.induction_variable.replace_all_uses_with(new.induction_variable)
                new_yield.operation.operands[0] = move_body(inner, rest[1:], new.inner_iter_args[0], new_yield)
                result = new.results[0]
            elif op == insert:
                shift(op, 2)
                with ir.InsertionPoint(anchor), op.location:
                    result = ir.Operation.create(
                        "tensor.insert_slice",
                        results=[part],
                        operands=list(op.operands),
                        attributes={name: op.attributes[name] for name in op.attributes},
                    ).result
            else:
                if any(op == e for e in extracts):
                    shift(op, 1)
                op.operation.move_before(anchor)
        return result

    updated = move_body(outer, chain[1:], own, terminator)
    with ir.InsertionPoint(terminator.block), outer.location:
        tensor.ParallelInsertSliceOp(updated, shared, [index], sizes, [], **slice_attrs)
    outer.results[0].replace_all_uses_with(forall.results[0])
    outer.operation.erase()


def _work(chain: list) -> int:
    """A rough count of a nest's work: the elements of the tensor it computes times the trip
    counts of the loops inside its innermost tile loop (a contraction's reduction, a window). A
    dynamic dim counts as 1: the least work the nest does, known here."""
    result = ir.RankedTensorType(chain[0].results[0].type)
    work = math.prod(1 if result.is_dynamic_dim(i) else result.get_dim_size(i) for i in range(result.rank))

    def count(op):
        nonlocal work
        if op.name == "scf.for" and op != chain[-1].operation:
            loop = op.opview
            bounds = [constant_int(v) for v in (loop.lowerBound, loop.upperBound, loop.step)]
            if None not in bounds:
                work *= max(1, -(-(bounds[1] - bounds[0]) // bounds[2]))
        return ir.WalkResult.ADVANCE

    chain[-1].operation.walk(count)
    return work


def _parallelize(block: ir.Block, min_work: int, counts: collections.Counter) -> None:
    # Only loops at the function's top level: a forall inside a sequential loop would be
    # dispatched on every trip of it.
    for op in list(block.operations):
        if op.operation.name != "scf.for":
            continue
        found = _nest(op)
        where = _disjoint_dim(op, found[1]) if found else None
        if where is None:
            counts["sequential (no disjoint tiles)"] += 1
            log.debug("ember-parallelize-tiles: a loop at %s stays sequential: its iterations do not write"
                      " disjoint slices of one tensor", op.location)
            continue
        work = _work(found[0])
        if work < min_work:
            counts["sequential (under min-work)"] += 1
            log.debug("ember-parallelize-tiles: a loop at %s stays sequential: %d element-iterations, under"
                      " min-work %d", op.location, work, min_work)
            continue
        counts["parallel"] += 1
        if len(found[0]) == 1:
            _to_forall(op, found[1])
        else:
            _nest_to_forall(*found, *where)


@register_pass
class ParallelizeTiles(EmberPass):
    """Turns tile loops whose iterations write disjoint slices into scf.forall."""

    NAME = "ember-parallelize-tiles"
    SUMMARY = "Turns scf.for tile loops over disjoint tensor slices into scf.forall"

    # Measured on the 2-core machine ember is benchmarked on (torch's libgomp), 2 threads, each
    # setting against the others in one process, µs per call:
    #   min-work            10M     300k    100k    30k
    #   encoder b1         2605    2238    1886    1940   (1 thread: 3442-3648 for all)
    #   seed MLP b64        290     199     196     193   (1 thread: 281-296)
    #   seed MLP b1        24.5    25.0    22.2    23.0   (1 thread: 24.6-25.8)
    #   MobileNet block    5175      -     4676    4600   (1 thread: 7052-7311)
    # At 10M only the encoder's four largest matmuls were parallel; at 100k its attention
    # matmuls (4.2M), output projection (8.4M) and GELU (131k) are too. Below ~30k a nest runs
    # for a few microseconds, the cost of waking the other threads.
    min_work: int = 100_000

    def run(self, op) -> None:
        counts = collections.Counter()
        for func in op.regions[0].blocks[0].operations:
            if func.operation.name == "func.func" and func.regions[0].blocks:
                _parallelize(func.regions[0].blocks[0], self.min_work, counts)
        log.info("ember-parallelize-tiles: %s", ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no loops")
