"""`ember-gpu-tile-contractions`: matmuls and convolutions as shared-memory tiles of an implicit
GEMM, one block per output tile.

Matches the reductions of `ember-gpu-reductions` (a top-level `scf.parallel` whose body is a
`scf.for` over k, or a perfect nest of them, that adds into `%out[...]`) whose step adds
`a * b` of two loads, every index of which is index arithmetic (`arith`, `affine.apply`) of the
loops' induction variables and values from outside. The parallel dims that `a` reads and `b`
does not are the GEMM's rows, those that `b` reads and `a` does not its columns, the others its
batch; the reduction loops, flattened, are its k. A matmul is one row dim (i), one column dim
(j) and one k; a convolution `out[n, f, oh, ow] += in[n, c, oh*s + kh, ow*s + kw] * w[f, c, kh,
kw]` has rows f, columns (n, oh, ow) and k (c, kh, kw); a grouped one also a batch dim (g).
Produces the textbook tiled kernel:

    one block (block_x) per batch index and TxT output tile; T x T threads (thread_x = column)
    for k0 = 0 to K step T:
      As[ty][tx] = a(row, k0 + tx); Bs[ty][tx] = b(k0 + ty, column)   (guarded at the edges)
      gpu.barrier
      acc[ty][tx] += sum over kk < min(T, K - k0) of As[ty][kk] * Bs[kk][tx]
      gpu.barrier
    out[...] += acc[ty][tx]   (where row and column are in range), between the output's fill
                              and its epilogue where ember-gpu-fuse-loops joined them

where a(row, k) is `a`'s load with its row and k coordinates (the flat indices split back into
the loops' induction variables) put into its index arithmetic. `b` is the operand whose last
index reads a column dim, so that neighbouring threads read neighbouring elements. `As`, `Bs`
and the accumulators live in shared memory (`memref.alloc {ember.workgroup}`, made the kernel's
attributions by `ember-gpu-workgroup-memory`): each element of `a` and `b` is read from global
memory once per tile instead of once per output. Reductions of another form (no rows or no
columns: a matvec, a depthwise convolution) are left to ember-gpu-reductions, counted in the
log. Runs before ember-gpu-reductions, which leaves the mapped loops alone.
"""

import logging
import math

from mlir import ir
from mlir.dialects import arith, gpu, memref, scf

from ember.passes.gpu_loops import coordinates as grid_coordinates
from ember.passes.gpu_loops import holds, parallel as mapped_parallel, static_extents, unmapped_loops
from ember.passes.gpu_reductions import WORKGROUP, match_reduction
from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import constant_int

_log = logging.getLogger("ember")
_INDEX_OPS = ("arith.", "affine.apply")


def _pure_index_op(op) -> bool:
    return (isinstance(op, ir.OpView) and op.name.startswith(_INDEX_OPS) and not op.operation.regions
            and all(isinstance(r.type, (ir.IndexType, ir.IntegerType)) for r in op.results))


def _dims_read(value: ir.Value, ivs: list[ir.Value], loop: ir.Operation) -> set[int] | None:
    """The positions in `ivs` of the induction variables that an index depends on, through
    index arithmetic inside `loop`; None where it depends on anything else computed there."""
    if value in ivs:
        return {ivs.index(value)}
    owner = value.owner
    if not isinstance(owner, ir.OpView) or not holds(loop, owner.operation):
        return set()  # defined outside the loop: a constant, an argument
    if not _pure_index_op(owner):
        return None
    found = set()
    for operand in owner.operands:
        dims = _dims_read(operand, ivs, loop)
        if dims is None:
            return None
        found |= dims
    return found


def _rebuilt(value: ir.Value, values: dict, loop: ir.Operation) -> ir.Value:
    """`value` computed again at the insertion point, with `values` for the induction variables:
    the index arithmetic between them cloned."""
    if value in values:
        return values[value]
    owner = value.owner
    if not isinstance(owner, ir.OpView) or not holds(loop, owner.operation):
        return value
    clone = owner.operation.clone()
    for k, operand in enumerate(owner.operands):
        clone.operands[k] = _rebuilt(operand, values, loop)
    values[value] = clone.results[ir.OpResult(value).result_number]
    return values[value]


class Contraction:
    """A matched reduction as a GEMM: its two loads, and the positions of the parallel loop's
    induction variables that are rows, columns and batch, with the extents of each."""

    def __init__(self, match, a, b, rows, columns, batch, extents, depths):
        self.match, self.a, self.b = match, a, b
        self.rows, self.columns, self.batch = rows, columns, batch
        self.extents, self.depths = extents, depths

    def extent(self, dims) -> int:
        return math.prod(self.extents[d] for d in dims)


def match_contraction(loop) -> Contraction | None:
    """The contraction of a top-level parallel loop, or None (see the module's docstring)."""
    extents = static_extents(loop)
    match = match_reduction(loop) if extents is not None else None
    if match is None or match.combine.name != "arith.addf":
        return None
    product = match.value.owner
    if not isinstance(product, ir.OpView) or product.name != "arith.mulf":
        return None
    loads = [v.owner for v in product.operands]
    if any(not isinstance(l, ir.OpView) or l.name != "memref.load" or l.operation not in match.others for l in loads):
        return None
    if any(op not in (loads[0].operation, loads[1].operation, product.operation) and not _pure_index_op(op.opview)
           for op in match.others):
        return None
    depths = [constant_int(l.upperBound) for l in match.nest]
    if any(constant_int(l.lowerBound) != 0 or constant_int(l.step) != 1 for l in match.nest) or None in depths:
        return None
    parallel_ivs = list(loop.region.blocks[0].arguments)
    ivs = [*parallel_ivs, *(l.induction_variable for l in match.nest)]
    count = len(parallel_ivs)
    reads = []
    for load in loads:
        dims = [_dims_read(v, ivs, loop.operation) for v in list(load.operands)[1:]]
        if None in dims:
            return None
        reads.append(([d for d in range(count) if any(d in s for s in dims)], dims[-1] if dims else set()))
    written = set().union(*(_dims_read(v, ivs, loop.operation) or set() for v in match.indices))
    if not set(range(count)) <= written:  # two iterations would add into one element
        return None
    found = []
    for first, second in ((0, 1), (1, 0)):
        (a_dims, _), (b_dims, b_last) = reads[first], reads[second]
        rows = [d for d in a_dims if d not in b_dims]
        columns = [d for d in b_dims if d not in a_dims]
        if rows and columns:
            batch = [d for d in range(count) if d not in rows and d not in columns]
            found.append((not b_last & set(columns), Contraction(match, loads[first], loads[second], rows, columns,
                                                                 batch, extents, depths)))
    # b's last index along the columns (coalesced reads) where either order has it
    return min(found, key=lambda f: f[0])[1] if found else None


def _tile(contraction: Contraction, tile: int) -> None:
    c = contraction
    match, parallel = c.match, c.match.parallel
    parallel_ivs = list(parallel.region.blocks[0].arguments)
    reduction_ivs = [l.induction_variable for l in match.nest]
    rows, columns, depth = c.extent(c.rows), c.extent(c.columns), math.prod(c.depths)
    batch_extents = [c.extents[d] for d in c.batch]
    blocks = [*batch_extents, math.ceil(rows / tile), math.ceil(columns / tile)]
    element = match.value.type
    index = ir.IndexType.get()
    const = lambda v: arith.ConstantOp(index, v).result  # noqa: E731
    space = ir.Attribute.parse("#gpu.address_space<workgroup>")

    def shared():
        alloc = memref.AllocOp(ir.MemRefType.get([tile, tile], element, memory_space=space), [], [])
        alloc.attributes[WORKGROUP] = ir.UnitAttr.get()
        return alloc.result

    def below(value, bound):
        return arith.CmpIOp(arith.CmpIPredicate.ult, value, const(bound)).result

    def split(flat, dims, extents, ivs):
        """{induction variable: its coordinate} of a flat index over `dims`."""
        return dict(zip([ivs[d] for d in dims], grid_coordinates(flat, [extents[d] for d in dims])))

    def guarded_copy(load, coordinates, inside, target, tx, ty):
        branch = scf.IfOp(inside)
        with ir.InsertionPoint(branch.then_block):
            values = {**fixed, **{iv: value for part in coordinates for iv, value in part().items()}}
            indices = [_rebuilt(v, values, parallel.operation) for v in list(load.operands)[1:]]
            memref.StoreOp(memref.LoadOp(load.operands[0], indices).result, target, [ty, tx])
            scf.YieldOp([])

    with ir.InsertionPoint(parallel), parallel.location:
        grid = mapped_parallel([math.prod(blocks)], ["block_x"])
        with ir.InsertionPoint.at_block_begin(grid.region.blocks[0]):
            block = mapped_parallel([tile, tile], ["thread_x", "thread_y"])
        with ir.InsertionPoint.at_block_begin(block.region.blocks[0]):
            tx, ty = block.region.blocks[0].arguments
            block_coordinates = grid_coordinates(grid.region.blocks[0].arguments[0], blocks)
            row = arith.AddIOp(arith.MulIOp(block_coordinates[-2], const(tile)).result, ty).result
            column = arith.AddIOp(arith.MulIOp(block_coordinates[-1], const(tile)).result, tx).result
            fixed = dict(zip([parallel_ivs[d] for d in c.batch], block_coordinates[:-2]))
            a_tile, b_tile, accumulators = shared(), shared(), shared()
            zero = arith.ConstantOp(element, ir.FloatAttr.get(element, -0.0)).result
            memref.StoreOp(zero, accumulators, [ty, tx])
            steps = scf.ForOp(const(0), const(depth), const(tile))
            with ir.InsertionPoint(steps.body):
                k0 = steps.induction_variable
                a_k, b_k = arith.AddIOp(k0, tx).result, arith.AddIOp(k0, ty).result
                guarded_copy(c.a, [lambda: split(row, c.rows, c.extents, parallel_ivs),
                                   lambda: split(a_k, range(len(c.depths)), c.depths, reduction_ivs)],
                             arith.AndIOp(below(row, rows), below(a_k, depth)).result, a_tile, tx, ty)
                guarded_copy(c.b, [lambda: split(column, c.columns, c.extents, parallel_ivs),
                                   lambda: split(b_k, range(len(c.depths)), c.depths, reduction_ivs)],
                             arith.AndIOp(below(b_k, depth), below(column, columns)).result, b_tile, tx, ty)
                gpu.BarrierOp()
                count = arith.MinUIOp(const(tile), arith.SubIOp(const(depth), k0).result).result
                inner = scf.ForOp(const(0), count, const(1), [memref.LoadOp(accumulators, [ty, tx]).result])
                with ir.InsertionPoint(inner.body):
                    kk = inner.induction_variable
                    product = arith.MulFOp(memref.LoadOp(a_tile, [ty, kk]).result,
                                           memref.LoadOp(b_tile, [kk, tx]).result).result
                    scf.YieldOp([arith.AddFOp(inner.inner_iter_args[0], product).result])
                memref.StoreOp(inner.results[0], accumulators, [ty, tx])
                gpu.BarrierOp()
                scf.YieldOp([])
            inside = scf.IfOp(arith.AndIOp(below(row, rows), below(column, columns)).result)
            with ir.InsertionPoint(inside.then_block):
                # The output's coordinates; the fill and epilogue moved here read them too.
                output = {**fixed, **split(row, c.rows, c.extents, parallel_ivs),
                          **split(column, c.columns, c.extents, parallel_ivs)}
                old = memref.LoadOp(match.out, match.indices)
                total = memref.LoadOp(accumulators, [ty, tx]).result
                memref.StoreOp(arith.AddFOp(old.result, total).result, match.out, match.indices)
                done = scf.YieldOp([])
    # The output's fill and epilogue (ember-gpu-fuse-loops), by the thread that owns the output.
    for op in match.prologue:
        op.move_before(old.operation)
    for op in match.epilogue:
        op.move_before(done.operation)
    for iv in parallel_ivs:
        iv.replace_all_uses_with(output[iv])
    parallel.operation.erase()


@register_pass
class GpuTileContractions(EmberPass):
    NAME = "ember-gpu-tile-contractions"
    SUMMARY = "Maps matmul and convolution loops to TxT output tiles of an implicit GEMM in shared memory"

    tile: int = 16

    def run(self, op) -> None:
        tiled = left = 0
        for loop in list(unmapped_loops(op)):
            contraction = match_contraction(loop)
            if contraction is not None:
                _tile(contraction, self.tile)
                tiled += 1
            elif static_extents(loop) is not None and match_reduction(loop) is not None:
                left += 1
        _log.info("ember-gpu-tile-contractions: %d contractions in %dx%d shared-memory tiles; %d reductions of"
                  " another form left to ember-gpu-reductions", tiled, self.tile, self.tile, left)
