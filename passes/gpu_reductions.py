"""`ember-gpu-reductions`: reductions accumulate in registers, and few long ones in blocks.

Matches top-level `scf.parallel` loops (what `convert-linalg-to-parallel-loops` makes of a
reduction, its parallel dims outside: `ember-parallel-dims-outer`) whose body is one `scf.for`
over the reduced dim (or a perfect nest of them: a convolution's channels and window), that
ends in

    %old = memref.load %out[%i...]   %new = <combine> %old, %x   memref.store %new, %out[%i...]

with `%out` touched nowhere else in the loop, its indices not the reduced one, and `<combine>`
one of add, mul, max, min, and, or (float or integer). Produces one of two forms:

- few outputs (fewer than `block-outputs`) of a long reduction (one loop, from 0 by 1 to at
  least `block-threads`) along
  the innermost dim of what it reads (so that a block's threads read neighbours): a block per output, its threads each accumulating a strided part in a register, then a tree in
  shared memory (a `memref.alloc {ember.workgroup}` that `ember-gpu-workgroup-memory` makes the
  kernel's own), a `gpu.barrier` after each of its log2(threads) steps, thread 0 adding the
  result into `%out` — the loops already mapped (block_x, thread_x) for
  `convert-parallel-loops-to-gpu`;
- else: the loop carries the accumulator in a register (`iter_args`), loaded once before it and
  stored once after, instead of a load and a store of `%out` per step.

Ops before and after the loop in the parallel body (an output's fill, its epilogue, which
`ember-gpu-fuse-loops` joined to the loop) go along: in the block form thread 0 runs them,
before and after it adds the block's total.

The tree adds in another order than the loop, pairwise: its rounding error grows like log(n),
the loop's like n. Loops that do not match are left as they are, counted in the log.
"""

import logging
import math

from mlir import ir
from mlir.dialects import arith, gpu, memref, scf

from ember.passes.gpu_loops import coordinates as grid_coordinates
from ember.passes.gpu_loops import parallel as mapped_parallel
from ember.passes.gpu_loops import holds, static_extents, unmapped_loops
from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import ancestor_in, constant_int

_log = logging.getLogger("ember")
WORKGROUP = "ember.workgroup"
_COMBINES = {"arith.addf", "arith.mulf", "arith.maximumf", "arith.minimumf", "arith.maxnumf", "arith.minnumf",
             "arith.addi", "arith.muli", "arith.maxsi", "arith.minsi", "arith.maxui", "arith.minui",
             "arith.andi", "arith.ori"}


def _identity(name: str, element: ir.Type) -> ir.Value:
    """The combine's neutral value: x combined with it is x (-0.0 for add keeps -0.0 sums)."""
    if isinstance(element, ir.FloatType):
        value = {"arith.addf": -0.0, "arith.mulf": 1.0, "arith.maximumf": -math.inf, "arith.minimumf": math.inf,
                 "arith.maxnumf": math.nan, "arith.minnumf": math.nan}[name]
        return arith.ConstantOp(element, ir.FloatAttr.get(element, value)).result
    width = ir.IntegerType(element).width if isinstance(element, ir.IntegerType) else 64
    value = {"arith.addi": 0, "arith.muli": 1, "arith.ori": 0, "arith.andi": -1, "arith.maxui": 0,
             "arith.minui": -1, "arith.maxsi": -(1 << (width - 1)), "arith.minsi": (1 << (width - 1)) - 1}[name]
    return arith.ConstantOp(element, ir.IntegerAttr.get(element, value)).result


def _combine(name: str, a: ir.Value, b: ir.Value) -> ir.Value:
    return ir.Operation.create(name, results=[a.type], operands=[a, b]).result


class Reduction:
    """A matched loop: its parallel loop, the nest of reduction loops (`loop` the innermost),
    the output's load, combine and store, the value each step combines in, the innermost
    loop's other ops, and the ops before and after the nest in the parallel body."""

    def __init__(self, parallel, nest, load, combine, store, extent: int | None, prologue, epilogue):
        self.parallel, self.nest, self.loop = parallel, nest, nest[-1]
        self.load, self.combine, self.store = load, combine, store
        self.extent = extent
        self.prologue, self.epilogue = prologue, epilogue
        loop = self.loop
        self.value = [v for v in combine.operands if v != load.result][0]
        self.others = [o.operation for o in loop.body.operations
                       if o.operation not in (load, combine, store) and o.operation.name != "scf.yield"]
        self.out, self.indices = store.operands[1], list(store.operands)[2:]


def match_reduction(parallel) -> Reduction | None:
    """The reduction of a top-level parallel loop, or None (see the module's docstring)."""
    body = [o.operation for o in parallel.region.blocks[0].operations]
    loops = [k for k, op in enumerate(body) if op.name == "scf.for"]
    if len(parallel.results) or len(loops) != 1 or body[-1].name != "scf.reduce":
        return None
    prologue, epilogue = body[: loops[0]], body[loops[0] + 1: -1]
    if any(op.regions for op in prologue + epilogue):
        return None
    nest = [body[loops[0]].opview]  # a perfect nest (a convolution's c, kh, kw): the innermost reduces
    while True:
        inner = [o.operation for o in nest[-1].body.operations]
        if len(inner) != 2 or inner[0].name != "scf.for":
            break
        nest.append(inner[0].opview)
    loop = nest[-1]
    if any(len(l.results) for l in nest):
        return None
    whole = len(nest) == 1 and constant_int(loop.lowerBound) == 0 and constant_int(loop.step) == 1
    extent = constant_int(loop.upperBound) if whole else None  # the block and tile forms need it
    ops = [o.operation for o in loop.body.operations]
    if len(ops) < 4 or ops[-2].name != "memref.store":
        return None
    store = ops[-2]
    combine = store.operands[0].owner
    if not isinstance(combine, ir.OpView) or combine.name not in _COMBINES or combine.operation.block != loop.body:
        return None
    combine = combine.operation
    out, indices = store.operands[1], list(store.operands)[2:]
    loads = [v.owner.operation for v in combine.operands if isinstance(v.owner, ir.OpView)
             and v.owner.name == "memref.load" and v.owner.operands[0] == out
             and list(v.owner.operands)[1:] == indices and v.owner.operation.block == loop.body]
    if not loads or len(list(loads[0].result.uses)) != 1 or len(list(combine.result.uses)) != 1:
        return None
    if any(l.induction_variable in indices for l in nest):
        return None
    for value in indices:  # the output's element is the same on every step: fixed outside the loops
        if isinstance(value.owner, ir.OpView) and holds(nest[0].operation, value.owner.operation):
            return None
    match = Reduction(parallel, nest, loads[0], combine, store, extent, prologue, epilogue)
    for op in match.others:  # the output is read and written only by the accumulation
        if any(v == out for v in op.operands):
            return None
    # What comes before and after the loop (a fill, an epilogue that ember-gpu-fuse-loops
    # joined) is each output's own: the loop must not use what the prologue computes.
    for op in prologue:
        body = parallel.region.blocks[0]
        if any(nest[0].operation == ancestor_in(user, body) for r in op.results for user in _users(r)):
            return None
    return match


def _users(value: ir.Value):
    return [u.owner.operation if isinstance(u.owner, ir.OpView) else u.owner for u in value.uses]


def _contiguous(match: Reduction) -> bool:
    """Whether every load that the reduced index reaches takes it as its last index: neighbouring
    threads of a block then read neighbouring elements."""
    iv = match.loop.induction_variable
    for op in match.loop.body.operations:
        if op.operation.name == "memref.load":
            indices = list(op.operands)[1:]
            if iv in indices and indices[-1] != iv:
                return False
    return True


def _in_registers(match: Reduction) -> None:
    """load once; for ... for iter_args(acc) { ...; acc = combine(acc, x) }; store once (the
    accumulator carried through every loop of the nest)."""
    load, store = match.load, match.store
    out, indices = match.out, match.indices
    outer = match.nest[0]
    with ir.InsertionPoint(outer), outer.location:
        carried = memref.LoadOp(out, indices).result
    point, copies = ir.InsertionPoint(outer), []
    for loop in match.nest:
        with point, loop.location:
            copy = scf.ForOp(loop.lowerBound, loop.upperBound, loop.step, [carried])
        loop.induction_variable.replace_all_uses_with(copy.induction_variable)
        carried = copy.inner_iter_args[0]
        copies.append(copy)
        point = ir.InsertionPoint(copy.body)
    innermost = copies[-1]
    load.result.replace_all_uses_with(innermost.inner_iter_args[0])
    with ir.InsertionPoint(innermost.body), outer.location:
        terminator = scf.YieldOp([match.combine.result])
    for op in [*match.others, match.combine]:
        op.move_before(terminator)
    for parent, child in zip(copies, copies[1:]):
        with ir.InsertionPoint(parent.body), outer.location:
            scf.YieldOp([child.results[0]])
    with ir.InsertionPoint(outer), outer.location:
        memref.StoreOp(copies[0].results[0], out, indices)
    store.erase()
    load.erase()
    outer.operation.erase()


def _in_blocks(match: Reduction, extents: list[int], threads: int) -> None:
    """A block per output: strided partials, a tree in shared memory, thread 0 stores."""
    parallel, loop = match.parallel, match.loop
    element = match.value.type
    name = match.combine.name
    index = ir.IndexType.get()
    const = lambda v: arith.ConstantOp(index, v).result  # noqa: E731
    with ir.InsertionPoint(parallel), parallel.location:
        grid = mapped_parallel([math.prod(extents)], ["block_x"])
        with ir.InsertionPoint.at_block_begin(grid.region.blocks[0]):
            block = mapped_parallel([threads], ["thread_x"])
        with ir.InsertionPoint.at_block_begin(block.region.blocks[0]):
            thread = block.region.blocks[0].arguments[0]
            coordinates = grid_coordinates(grid.region.blocks[0].arguments[0], extents)
            space = ir.Attribute.parse("#gpu.address_space<workgroup>")
            shared = memref.AllocOp(ir.MemRefType.get([threads], element, memory_space=space), [], [])
            shared.attributes[WORKGROUP] = ir.UnitAttr.get()
            partial = scf.ForOp(thread, const(match.extent), const(threads), [_identity(name, element)])
            with ir.InsertionPoint(partial.body):
                step = scf.YieldOp([partial.body.arguments[1]])  # replaced below
            memref.StoreOp(partial.results[0], shared.result, [thread])
            gpu.BarrierOp()
            width = threads // 2
            while width:
                below = arith.CmpIOp(arith.CmpIPredicate.ult, thread, const(width)).result
                branch = scf.IfOp(below)
                with ir.InsertionPoint(branch.then_block):
                    mine = memref.LoadOp(shared.result, [thread]).result
                    other = memref.LoadOp(shared.result, [arith.AddIOp(thread, const(width)).result]).result
                    memref.StoreOp(_combine(name, mine, other), shared.result, [thread])
                    scf.YieldOp([])
                gpu.BarrierOp()
                width //= 2
            first = scf.IfOp(arith.CmpIOp(arith.CmpIPredicate.eq, thread, const(0)).result)
            with ir.InsertionPoint(first.then_block):
                total = memref.LoadOp(shared.result, [const(0)]).result
                old = memref.LoadOp(match.out, match.indices)
                memref.StoreOp(_combine(name, old.result, total), match.out, match.indices)
                done = scf.YieldOp([])
            for op in match.prologue:  # each output's own work: its block's thread 0 does it
                op.move_before(old.operation)
            for op in match.epilogue:
                op.move_before(done.operation)
    # the parallel ivs are the block's coordinates; the loop's body computes one step's value
    for argument, coordinate in zip(parallel.region.blocks[0].arguments, coordinates):
        argument.replace_all_uses_with(coordinate)
    loop.induction_variable.replace_all_uses_with(partial.induction_variable)
    for op in match.others:
        op.move_before(step)
    with ir.InsertionPoint(step), loop.location:
        scf.YieldOp([_combine(name, partial.body.arguments[1], match.value)])
    step.erase()
    for op in (match.store, match.combine, match.load):
        op.erase()
    parallel.operation.erase()


@register_pass
class GpuReductions(EmberPass):
    NAME = "ember-gpu-reductions"
    SUMMARY = "Reductions in registers; few long ones as a block-wide tree in shared memory"

    block_threads: int = 256  # a power of two
    block_outputs: int = 1024

    def run(self, op) -> None:
        counts = {"register": 0, "block": 0}
        for loop in list(unmapped_loops(op)):
            match = match_reduction(loop)
            if match is None:
                continue
            extents = static_extents(loop)
            if extents is not None and match.extent is not None and math.prod(extents) < self.block_outputs \
                    and match.extent >= self.block_threads and _contiguous(match):
                _in_blocks(match, extents, self.block_threads)
                counts["block"] += 1
            else:
                _in_registers(match)
                counts["register"] += 1
        if any(counts.values()):
            _log.info("ember-gpu-reductions: %d in registers, %d in blocks", counts["register"], counts["block"])
