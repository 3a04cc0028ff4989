"""The loop helpers that ember's GPU passes share, each once: the top-level parallel loops of
a module, a loop's static extents, mapped `scf.parallel` nests, and a block index's
coordinates in a grid."""

from mlir import ir
from mlir.dialects import arith, scf

from ember.passes.walk import constant_int


def top_level_ops(module_op: ir.Operation):
    """Every op in the top-level block of the module's functions (a list per function, taken
    before the caller rewrites any)."""
    for function in module_op.regions[0].blocks[0].operations:
        if function.operation.name == "func.func" and function.regions[0].blocks:
            yield from list(function.regions[0].blocks[0].operations)


def unmapped_loops(module_op: ir.Operation):
    """The top-level `scf.parallel` loops that no GPU pass has mapped yet."""
    for op in top_level_ops(module_op):
        if op.operation.name == "scf.parallel" and "mapping" not in op.attributes:
            yield op.opview


def static_extents(loop) -> list[int] | None:
    """A parallel loop's trip counts per dim, or None where it is not 0-based, step-1, static
    and without reductions."""
    count = len(loop.region.blocks[0].arguments)
    bounds = [constant_int(v) for v in loop.operands]
    if len(loop.operands) != 3 * count or len(loop.results):
        return None
    lower, upper, step = bounds[:count], bounds[count: 2 * count], bounds[2 * count:]
    if any(b != 0 for b in lower) or any(s != 1 for s in step) or None in upper:
        return None
    return upper


def mapping(processors: list[str]) -> ir.ArrayAttr:
    """`scf.parallel`'s mapping attribute for `convert-parallel-loops-to-gpu` (block_x, thread_y, ...)."""
    return ir.ArrayAttr.get([
        ir.Attribute.parse(f"#gpu.loop_dim_map<processor = {p}, map = (d0) -> (d0), bound = (d0) -> (d0)>")
        for p in processors
    ])


def parallel(upper: list, processors: list[str] | None = None):
    """An `scf.parallel` from 0 to `upper` (ints or index values) by 1, at the current insertion
    point, with its block and terminator, mapped to `processors` if given."""
    index = ir.IndexType.get()
    bounds = [arith.ConstantOp(index, u).result if isinstance(u, int) else u for u in upper]
    zero, one = arith.ConstantOp(index, 0).result, arith.ConstantOp(index, 1).result
    loop = scf.ParallelOp([], [zero] * len(bounds), bounds, [one] * len(bounds), [])
    loop.region.blocks.append(*[index] * len(bounds))
    if processors:
        loop.attributes["mapping"] = mapping(processors)
    with ir.InsertionPoint(loop.region.blocks[0]):
        scf.ReduceOp([], 0)
    return loop


def coordinates(linear: ir.Value, extents: list[int]) -> list[ir.Value]:
    """The coordinates of a row-major linear index in a grid of `extents` (the last fastest)."""
    index = ir.IndexType.get()
    found, rest = [], linear
    for dim in reversed(range(len(extents))):
        if dim == 0:
            found.insert(0, rest)
            break
        extent = arith.ConstantOp(index, extents[dim]).result
        found.insert(0, arith.RemUIOp(rest, extent).result)
        rest = arith.DivUIOp(rest, extent).result
    return found


def move_body(loop, values: list[ir.Value], before: ir.Operation) -> None:
    """Moves a loop's body (all but its terminator) before `before`, with `values` for its
    induction variables, and erases the loop."""
    body = loop.regions[0].blocks[0]
    for argument, value in zip(body.arguments, values):
        argument.replace_all_uses_with(value)
    for op in list(body.operations)[:-1]:
        op.operation.move_before(before)
    loop.operation.erase()


def holds(ancestor: ir.Operation, op: ir.Operation) -> bool:
    """Whether `op` is nested inside `ancestor` (not `ancestor` itself)."""
    op = op.parent
    while op is not None:
        if op == ancestor:
            return True
        op = op.parent
    return False
