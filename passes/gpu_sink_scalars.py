"""`ember-gpu-sink-scalars`: the scalar arithmetic a kernel uses is computed in the kernel.

Matches every `gpu.launch` and the side-effect-free scalar ops defined outside it whose values
its body uses (constants, `arith`/`math`/`index` ops, `affine.apply`, transitively), and
produces a copy of each inside the launch's body, used there instead; the host's op goes once
nothing else uses it (canonicalize). What the kernels then take from the host is buffers and
the entry's own scalar arguments (the caller's seed), which is all a device target's host
passes to a launch (ember.runtime.cuda_plan).

Why not upstream's `gpu-launch-sink-index-computations` alone: it sinks a fixed list of ops
(constants, `memref.dim`, `select`, `cmpi`, `index_cast`, `affine.apply`), so an arithmetic
chain such as a random op's seed mixing (`muli`, `addi` of the seed) stayed on the host.
"""

from mlir import ir

from ember.passes.gpu_loops import holds
from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import collect_ops

_SCALAR = (ir.IntegerType, ir.FloatType, ir.IndexType)


def _sinkable(op: ir.Operation) -> bool:
    dialect = op.name.split(".")[0]
    return (dialect in ("arith", "math", "index") or op.name == "affine.apply") and not op.regions \
        and len(op.results) > 0 and all(isinstance(r.type, _SCALAR) for r in op.results)


def _defining(value: ir.Value):
    return value.owner.operation if isinstance(value.owner, ir.OpView) else None


def _sink(launch: ir.Operation) -> None:
    order, seen = [], []

    def visit(op):
        if op in seen:
            return
        seen.append(op)
        for operand in op.operands:
            definer = _defining(operand)
            if definer is not None and _sinkable(definer) and not holds(launch, definer):
                visit(definer)
        order.append(op)

    for op in collect_ops(launch, lambda o: o != launch):
        for operand in op.operands:
            definer = _defining(operand)
            if definer is not None and _sinkable(definer) and not holds(launch, definer):
                visit(definer)
    body = launch.regions[0].blocks[0]
    first = body.operations[0]
    clones = {}
    for op in order:
        clone = op.clone(ir.InsertionPoint(first))
        for index, operand in enumerate(clone.operands):
            if operand in clones:
                clone.operands[index] = clones[operand]
        for old, new in zip(op.results, clone.results):
            clones[old] = new
    for old, new in clones.items():
        for use in list(old.uses):
            user = use.owner.operation if isinstance(use.owner, ir.OpView) else use.owner
            if holds(launch, user):
                user.operands[use.operand_number] = new


@register_pass
class GpuSinkScalars(EmberPass):
    NAME = "ember-gpu-sink-scalars"
    SUMMARY = "Copies the scalar arithmetic that a gpu.launch uses from the host into its body"

    def run(self, op) -> None:
        for launch in collect_ops(op, lambda o: o.name == "gpu.launch"):
            _sink(launch)
