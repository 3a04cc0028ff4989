"""`ember-gpu-tile-matmuls`: matmuls as shared-memory tiles, one block per output tile.

Matches the reductions of `ember-gpu-reductions` (a top-level `scf.parallel` whose body is one
`scf.for` over k that adds into `%out[...]`) whose step adds `a * b`, `a` loaded with the
second-to-last parallel index (i) and k but not the last (j), `b` with k and j but not i, the
output indexed by both (plus any leading batch dims): a (batched) matmul, as
`convert-linalg-to-parallel-loops` makes of `linalg.matmul`, `batch_matmul` and their
generic forms. Produces the mapped kernel of the textbook tiled matmul:

    one block (block_x) per batch index and TxT output tile; T x T threads (thread_x = j)
    for k0 = 0 to K step T:
      As[ty][tx] = a[i, k0 + tx]; Bs[ty][tx] = b[k0 + ty, j]   (guarded at the edges)
      gpu.barrier
      acc[ty][tx] += sum over kk < min(T, K - k0) of As[ty][kk] * Bs[kk][tx]   (in a register)
      gpu.barrier
    out[i, j] += acc[ty][tx]   (where i, j are in range), between the output's fill and its
                               epilogue where ember-gpu-fuse-loops joined them to the matmul

`As`, `Bs` and the accumulators live in shared memory (`memref.alloc {ember.workgroup}`, made
the kernel's attributions by `ember-gpu-workgroup-memory`): each element of `a` and `b` is read
from global memory once per tile instead of once per output. Runs before ember-gpu-reductions,
which leaves the mapped loops alone.
"""

import logging
import math

from mlir import ir
from mlir.dialects import arith, gpu, memref, scf

from ember.passes.gpu_loops import coordinates as grid_coordinates
from ember.passes.gpu_loops import holds, parallel as mapped_parallel, static_extents, unmapped_loops
from ember.passes.gpu_reductions import WORKGROUP, match_reduction
from ember.passes.registry import EmberPass, register_pass

_log = logging.getLogger("ember")


def _operands(match, i: ir.Value, j: ir.Value):
    """(a's load, b's load) of a matmul's step, or None."""
    if match.combine.name != "arith.addf" or len(match.others) != 3 or match.extent is None:
        return None
    product = match.value.owner
    if not isinstance(product, ir.OpView) or product.name != "arith.mulf":
        return None
    loads = [v.owner for v in product.operands]
    if any(not isinstance(l, ir.OpView) or l.name != "memref.load" or l.operation not in match.others for l in loads):
        return None
    k = match.loop.induction_variable

    def reads(load, value):
        return value in list(load.operands)[1:]

    ivs = [*match.parallel.region.blocks[0].arguments, k]
    for load in loads:  # every index an induction variable or a value from outside the loops
        for value in list(load.operands)[1:]:
            owner = value.owner
            if value not in ivs and (not isinstance(owner, ir.OpView) or holds(match.parallel.operation, owner.operation)):
                return None
    for a, b in (loads, loads[::-1]):
        if reads(a, i) and reads(a, k) and not reads(a, j) and reads(b, j) and reads(b, k) and not reads(b, i):
            return a, b
    return None


def _tile(match, a, b, extents: list[int], tile: int) -> None:
    parallel, loop = match.parallel, match.loop
    ivs = list(parallel.region.blocks[0].arguments)
    i, j, k = ivs[-2], ivs[-1], loop.induction_variable
    rows, columns, depth = extents[-2], extents[-1], match.extent
    blocks = [*extents[:-2], math.ceil(rows / tile), math.ceil(columns / tile)]
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

    def guarded_copy(load, substitute, inside, target, tx, ty):
        branch = scf.IfOp(inside)
        with ir.InsertionPoint(branch.then_block):
            indices = [substitute.get(v, v) for v in list(load.operands)[1:]]
            memref.StoreOp(memref.LoadOp(load.operands[0], indices).result, target, [ty, tx])
            scf.YieldOp([])

    with ir.InsertionPoint(parallel), parallel.location:
        grid = mapped_parallel([math.prod(blocks)], ["block_x"])
        with ir.InsertionPoint.at_block_begin(grid.region.blocks[0]):
            block = mapped_parallel([tile, tile], ["thread_x", "thread_y"])
        with ir.InsertionPoint.at_block_begin(block.region.blocks[0]):
            tx, ty = block.region.blocks[0].arguments
            coordinates = grid_coordinates(grid.region.blocks[0].arguments[0], blocks)
            row = arith.AddIOp(arith.MulIOp(coordinates[-2], const(tile)).result, ty).result
            column = arith.AddIOp(arith.MulIOp(coordinates[-1], const(tile)).result, tx).result
            a_tile, b_tile, accumulators = shared(), shared(), shared()
            zero = arith.ConstantOp(element, ir.FloatAttr.get(element, -0.0)).result
            memref.StoreOp(zero, accumulators, [ty, tx])
            steps = scf.ForOp(const(0), const(depth), const(tile))
            with ir.InsertionPoint(steps.body):
                k0 = steps.induction_variable
                batch = dict(zip(ivs[:-2], coordinates[:-2]))
                a_k, b_k = arith.AddIOp(k0, tx).result, arith.AddIOp(k0, ty).result
                guarded_copy(a, {**batch, i: row, k: a_k}, arith.AndIOp(below(row, rows), below(a_k, depth)).result,
                             a_tile, tx, ty)
                guarded_copy(b, {**batch, j: column, k: b_k},
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
                coordinate = {**dict(zip(ivs[:-2], coordinates[:-2])), i: row, j: column}
                indices = [coordinate.get(v, v) for v in match.indices]
                old = memref.LoadOp(match.out, indices)
                total = memref.LoadOp(accumulators, [ty, tx]).result
                memref.StoreOp(arith.AddFOp(old.result, total).result, match.out, indices)
                done = scf.YieldOp([])
    # The output's fill and epilogue (ember-gpu-fuse-loops), by the thread that owns the output.
    for op in match.prologue:
        op.move_before(old.operation)
    for op in match.epilogue:
        op.move_before(done.operation)
    for iv, value in zip(ivs, [*coordinates[:-2], row, column]):
        iv.replace_all_uses_with(value)
    parallel.operation.erase()


@register_pass
class GpuTileMatmuls(EmberPass):
    NAME = "ember-gpu-tile-matmuls"
    SUMMARY = "Maps (batched) matmul loops to TxT output tiles staged through shared memory"

    tile: int = 16

    def run(self, op) -> None:
        tiled = 0
        for loop in list(unmapped_loops(op)):
            ivs = list(loop.region.blocks[0].arguments)
            extents = static_extents(loop)
            match = match_reduction(loop) if len(ivs) >= 2 and extents is not None else None
            if match is None or ivs[-2] not in match.indices or ivs[-1] not in match.indices:
                continue
            operands = _operands(match, ivs[-2], ivs[-1])
            if operands is not None:
                _tile(match, *operands, extents, self.tile)
                tiled += 1
        if tiled:
            _log.info("ember-gpu-tile-matmuls: %d matmuls in %dx%d shared-memory tiles", tiled, self.tile, self.tile)
