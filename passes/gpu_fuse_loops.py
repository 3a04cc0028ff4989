"""`ember-gpu-fuse-loops`: consecutive parallel loops over the same points as one loop.

Matches two `scf.parallel` loops next to each other in a function's top-level block, with the
same constant bounds and steps and no reductions, where every buffer that both touch and one
writes is accessed by both through the same value and only at the loops' own indices
(`%m[%i, %j]` in the order of the loop's ivs): iteration p of the second reads only what
iteration p of the first wrote. Produces one loop whose body is the first's, then the
second's, unless both hold a loop (two reductions are mapped each its own way): on a
device target one kernel instead of two, and the intermediate element read back
by the thread that wrote it. That is how a matmul's fill and its epilogue (bias, activation,
residual) join the matmul (ember-gpu-tile-contractions and ember-gpu-reductions take what comes
before and after the reduction loop along), and an elementwise chain that bufferization split
becomes one kernel again.

Runs before `ember-plan-memory`: after it, two buffers that share arena bytes (their lives did
not overlap) would be live in one loop. Buffers are told apart by their root (through views
and reshapes); function arguments are distinct (`llvm.noalias`).
"""

import logging

from mlir import ir

from ember.passes.gpu_loops import move_body
from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import collect_ops, constant_int

_log = logging.getLogger("ember")
_VIEWS = {"memref.expand_shape", "memref.collapse_shape", "memref.subview", "memref.cast",
          "memref.reinterpret_cast", "memref.view"}


def _root(value: ir.Value) -> ir.Value:
    while isinstance(value.owner, ir.OpView) and value.owner.name in _VIEWS:
        value = value.owner.operands[0]
    return value


def _accesses(loop) -> list[tuple[ir.Value, ir.Value, list, bool]]:
    """(root, buffer value, indices or None, writes) of each memory access in the loop."""
    found = []
    for op in collect_ops(loop.operation, lambda o: o != loop.operation):
        name = op.name
        if name == "memref.load":
            found.append((_root(op.operands[0]), op.operands[0], list(op.operands)[1:], False))
        elif name == "memref.store":
            found.append((_root(op.operands[1]), op.operands[1], list(op.operands)[2:], True))
        else:
            for operand in op.operands:  # any other use of a buffer: unknown access
                if isinstance(operand.type, ir.MemRefType) and name not in _VIEWS:
                    found.append((_root(operand), operand, None, True))
    return found


def _bounds(loop):
    return [constant_int(v) for v in loop.operands]


def _has_loop(loop) -> bool:
    return bool(collect_ops(loop.operation, lambda o: o.name == "scf.for"))


def _fusable(first, second) -> bool:
    if len(first.results) or len(second.results) or None in _bounds(first) or _bounds(first) != _bounds(second):
        return False
    if _has_loop(first) and _has_loop(second):
        return False  # two reductions: each is mapped on its own (ember-gpu-reductions, -tile-contractions)
    ivs = {0: list(first.region.blocks[0].arguments), 1: list(second.region.blocks[0].arguments)}
    accesses = {0: _accesses(first), 1: _accesses(second)}
    written = {root for k in (0, 1) for root, _, _, writes in accesses[k] if writes}
    shared = {root for root, *_ in accesses[0]} & {root for root, *_ in accesses[1]} & written
    for root in shared:
        values = {value for k in (0, 1) for r, value, _, _ in accesses[k] if r == root}
        if len(values) != 1:
            return False  # seen through two views: their indices do not compare
        for k in (0, 1):
            for r, _, indices, _ in accesses[k]:
                if r == root and indices != ivs[k]:
                    return False
    return True


def _fuse(first, second) -> None:
    body = first.region.blocks[0]
    move_body(second, list(body.arguments), body.operations[len(body.operations) - 1])


@register_pass
class GpuFuseLoops(EmberPass):
    NAME = "ember-gpu-fuse-loops"
    SUMMARY = "Merges consecutive scf.parallel loops over the same points whose shared buffers meet pointwise"

    def run(self, op) -> None:
        fused = 0
        for function in op.regions[0].blocks[0].operations:
            if function.operation.name != "func.func" or not function.regions[0].blocks:
                continue
            previous, between = None, []
            for child in list(function.regions[0].blocks[0].operations):
                name = child.operation.name
                if name != "scf.parallel":
                    # ops that only name buffers or compute scalars do not separate two loops:
                    # fused, they move before the first
                    if name.startswith("arith.") or name in _VIEWS | {"memref.alloc", "memref.get_global"}:
                        between.append(child.operation)
                    else:
                        previous = None
                    continue
                if previous is not None and _fusable(previous, child):
                    for op in between:
                        op.move_before(previous.operation)
                    _fuse(previous, child)
                    fused += 1
                else:
                    previous = child
                between = []
        if fused:
            _log.info("ember-gpu-fuse-loops: %d loops fused into the one before", fused)
