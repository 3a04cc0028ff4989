"""`ember-gpu-map-loops`: each top-level parallel loop becomes a grid of thread blocks.

Matches every `scf.parallel` in the top-level block of a function (what
`convert-linalg-to-parallel-loops` and `ember-gpu-host-kernels` make of the bufferized model)
whose bounds are constants, from 0 with step 1, with no reductions. Produces a two-level nest
that `convert-parallel-loops-to-gpu` turns into a `gpu.launch`:

    scf.parallel (%block) = (0) to (G) {mapping = [block_x]}
      scf.parallel (%tx, %ty, %tz) = (0, 0, 0) to (Tx, Ty, Tz) {mapping = [thread_x, ...]}
        %i = block coordinates (delinearized from %block) * T + thread ids
        scf.if (%i < extents) { the loop's body }

The innermost loop dim goes to thread x (so neighbouring threads touch neighbouring elements:
coalesced), the next ones to y and z, `block-size` threads per block at most (each thread dim a
power of two no larger than its extent needs); every dim is split into blocks, and the blocks
are one linear grid (x), delinearized in the kernel, so that loops of any rank map. Dims
beyond the third run one block per index.

Why not upstream's `scf-parallel-loop-tiling` + `gpu-map-parallel-loops`: the first takes one
list of tile sizes for the leading dims of every loop, the second maps dim 0 to x; together
they put the row dim on thread x, which makes every warp's loads strided.

Refused, logged (`EMBER_LOG=info`) and counted, and left on the host: loops with dynamic or
non-zero-based bounds, other steps, or reductions (a device target's runtime then refuses the
host code that touches device memory, naming the op).
"""

import logging
import math

from mlir import ir
from mlir.dialects import arith, scf

from ember.passes.gpu_loops import coordinates, move_body, parallel, static_extents, unmapped_loops
from ember.passes.registry import EmberPass, register_pass

_PROCESSORS = ("thread_x", "thread_y", "thread_z")
_log = logging.getLogger("ember")


def _thread_tiles(extents: list[int], block_size: int) -> list[int]:
    """Threads per dim: the last dim first, each a power of two, at most `block_size` in all."""
    tiles = [1] * len(extents)
    budget = block_size
    for position, dim in enumerate(reversed(range(len(extents)))):
        if position == len(_PROCESSORS) or budget == 1:
            break
        tiles[dim] = min(1 << max(extents[dim] - 1, 0).bit_length(), budget)
        budget //= tiles[dim]
    return tiles


def _map(loop, extents: list[int], block_size: int) -> None:
    tiles = _thread_tiles(extents, block_size)
    blocks = [math.ceil(e / t) for e, t in zip(extents, tiles)]
    threaded = [d for d in reversed(range(len(extents))) if tiles[d] > 1]
    index = ir.IndexType.get()
    const = lambda v: arith.ConstantOp(index, v).result  # noqa: E731
    with ir.InsertionPoint(loop), loop.location:
        grid = parallel([math.prod(blocks)], ["block_x"])
        with ir.InsertionPoint.at_block_begin(grid.region.blocks[0]):
            threads = parallel([tiles[d] for d in threaded] or [1], list(_PROCESSORS[: max(len(threaded), 1)]))
        body = threads.region.blocks[0]
        with ir.InsertionPoint.at_block_begin(body):
            thread_id = dict(zip(threaded, body.arguments))
            indices, guards = coordinates(grid.region.blocks[0].arguments[0], blocks), []
            for dim in thread_id:
                indices[dim] = arith.AddIOp(arith.MulIOp(indices[dim], const(tiles[dim])).result,
                                            thread_id[dim]).result
                if extents[dim] % tiles[dim]:
                    guards.append(arith.CmpIOp(arith.CmpIPredicate.ult, indices[dim], const(extents[dim])).result)
            target = body
            if guards:
                inside = guards[0]
                for guard in guards[1:]:
                    inside = arith.AndIOp(inside, guard).result
                branch = scf.IfOp(inside)
                with ir.InsertionPoint(branch.then_block):
                    scf.YieldOp([])
                target = branch.then_block
    move_body(loop, indices, target.operations[len(target.operations) - 1])


@register_pass
class GpuMapLoops(EmberPass):
    NAME = "ember-gpu-map-loops"
    SUMMARY = "Maps top-level scf.parallel loops to a linear grid of blocks and up to 3 thread dims"

    block_size: int = 256

    def run(self, op) -> None:
        refused = 0
        for loop in list(unmapped_loops(op)):
            extents = static_extents(loop)
            if extents is None:
                _log.info("ember-gpu-map-loops: not mapped: a parallel loop with dynamic or offset bounds,"
                          " or with reductions, at %s", loop.location)
                refused += 1
                continue
            _map(loop, extents, self.block_size)
        if refused:
            _log.info("ember-gpu-map-loops: %d loops left on the host", refused)
