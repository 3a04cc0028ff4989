"""`ember-plan-memory`: intermediates come from the caller's arena, not a malloc per call.

Matches, in every function with an arena argument (`{ember.arena}`, added by
`ember-entry-point`), the `memref.alloc`s of static shape and identity layout that sit in the
function's top-level block and do not escape it (not returned, yielded or branched with).
Produces, in place of each alloc, a `memref.view` into the arena at an offset from a static
plan, and records the bytes the plan needs as `ember.arena_size` on the function: buffers
whose live ranges (from the alloc to the last top-level op that touches the buffer or a view
of it) do not overlap may share bytes; each buffer's first-fit offset, in order of decreasing
size. Their `memref.dealloc`s are erased.

Re-entrancy: the arena belongs to the caller's context (64-byte aligned, at least
`ember.arena_size` bytes), so the code keeps no state and two contexts may run it at once.
Allocs inside loops or regions (per-tile scratch) and of dynamic size are left to the
allocation functions (runtime/alloc_cache.c, which reuses freed blocks): they may be live in
several parallel iterations at once. A function without an arena argument keeps its allocs; a
function without one that had candidates fails, naming the pass that adds it.
"""

import math

from mlir import ir
from mlir.dialects import arith, memref

from ember.passes.entry_point import ARENA, marked_argument
from ember.passes.registry import EmberPass, PassFailure, register_pass
from ember.passes.walk import ancestor_in

ALIGNMENT = 64
_ESCAPES = {"func.return", "scf.yield", "cf.br", "cf.cond_br", "scf.condition", "func.call"}


def _live_range(alloc, block: ir.Block, position: dict) -> tuple[int, int, list] | None:
    """(first, last) top-level positions where the buffer is live, and its deallocs; None if it
    escapes."""
    last = position[alloc.operation]
    deallocs = []
    pending = [alloc.result]
    while pending:
        value = pending.pop()
        for use in value.uses:
            user = use.owner
            name = user.name
            if name in _ESCAPES:
                return None
            if name == "memref.dealloc":
                deallocs.append(user)
                continue
            last = max(last, position[ancestor_in(user, block)])
            # Any memref an op makes from the buffer (subview, reshape, cast, ...) aliases it.
            pending += [r for r in user.results if isinstance(r.type, ir.MemRefType)]
    return position[alloc.operation], last, deallocs


def _size_in_bytes(memref_type: ir.MemRefType) -> int | None:
    layout = memref_type.layout.value
    if not memref_type.has_static_shape or layout != ir.AffineMap.get_identity(layout.n_dims):
        return None
    width = getattr(memref_type.element_type, "width", None)
    if width is None or width % 8:
        return None
    return math.prod(memref_type.shape) * width // 8


def plan(buffers: list[tuple[int, int, int]]) -> tuple[list[int], int]:
    """First-fit offsets for (size, first, last) buffers, largest first; returns (offsets, arena
    size). Buffers share bytes only when their live ranges are disjoint."""
    offsets = [0] * len(buffers)
    placed = []  # (offset, end, first, last)
    for i in sorted(range(len(buffers)), key=lambda i: -buffers[i][0]):
        size, first, last = buffers[i]
        busy = sorted((o, e) for o, e, f, l in placed if not (l < first or last < f))
        offset = 0
        for start, end in busy:
            if offset + size <= start:
                break
            offset = max(offset, -(-end // ALIGNMENT) * ALIGNMENT)
        offsets[i] = offset
        placed.append((offset, offset + size, first, last))
    total = max((e for _, e, _, _ in placed), default=0)
    return offsets, -(-total // ALIGNMENT) * ALIGNMENT


@register_pass
class PlanMemory(EmberPass):
    """Moves top-level static allocs into one statically planned global arena per function."""

    NAME = "ember-plan-memory"
    SUMMARY = "Places static intermediate buffers in the caller's arena by a static liveness plan"

    def run(self, op) -> None:
        module_block = op.regions[0].blocks[0]
        for func in list(module_block.operations):
            if func.operation.name == "func.func" and func.regions[0].blocks:
                self._plan_function(func)

    def _plan_function(self, func) -> None:
        block = func.regions[0].blocks[0]
        position = {o.operation: i for i, o in enumerate(block.operations)}
        candidates = []
        for o in block.operations:
            if o.operation.name != "memref.alloc" or o.operands:
                continue
            size = _size_in_bytes(o.result.type)
            live = _live_range(o, block, position) if size else None
            if live:
                candidates.append((o, size, *live))
        arena = marked_argument(func, ARENA)
        if arena is None:
            if candidates:
                func.location.emit_error(
                    f"ember-plan-memory: {len(candidates)} intermediate buffer(s) to place but no arena "
                    "argument ({ember.arena}); run ember-entry-point first"
                )
                raise PassFailure()
            return
        offsets, total = plan([(size, first, last) for _, size, first, last, _ in candidates])
        with func.location:
            func.attributes["ember.arena_size"] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), total)
        for (alloc, _, _, _, deallocs), offset in zip(candidates, offsets):
            with ir.InsertionPoint(alloc), alloc.location:
                byte_shift = arith.ConstantOp(ir.IndexType.get(), offset).result
                view = memref.ViewOp(alloc.result.type, arena, byte_shift, []).result
            alloc.result.replace_all_uses_with(view)
            alloc.operation.erase()
            for dealloc in deallocs:
                dealloc.erase()
