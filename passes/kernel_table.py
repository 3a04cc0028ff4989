"""The kernels of a compiled model, read off its `fused` stage: one per `ember.fusion_group`.

For each kernel: its kind, the linalg ops in it (named by what their bodies compute), its result
shape, the FLOPs it performs (loop iterations times the arithmetic ops of each body; a
multiply-add counts 2) and the bytes it moves (every tensor it reads from outside, and its
result, once), and where its inputs come from (a model input, a weight, another kernel), for
the kernel graph. Plain data (JSON in the artifact), so a loaded model prints it without MLIR.
"""

import math

from mlir import ir

_ARITH = ("arith.add", "arith.sub", "arith.mul", "arith.div", "arith.max", "arith.min", "arith.rem",
          "arith.neg", "math.", "arith.cmp", "arith.select")


def _elements(type_: ir.Type) -> int:
    return math.prod(ir.ShapedType(type_).shape) if isinstance(type_, ir.ShapedType) else 1


def _bytes(type_: ir.Type) -> int:
    if not isinstance(type_, ir.ShapedType):
        return 0
    width = getattr(ir.ShapedType(type_).element_type, "width", 32)
    return _elements(type_) * max(width, 8) // 8


def _describe(op: ir.Operation) -> tuple[str, int]:
    """(a short name of what the op computes, its FLOPs)."""
    name = op.name.removeprefix("linalg.")
    if op.name != "linalg.generic":
        return name, 0
    body = [o.operation.name for o in op.regions[0].blocks[0].operations][:-1]
    arithmetic = [n for n in body if n.startswith(_ARITH)]
    maps = [ir.AffineMapAttr(m).value for m in op.attributes["indexing_maps"]]
    ranges: dict[int, int] = {}
    for value, amap in zip(op.operands, maps):
        if isinstance(value.type, ir.ShapedType):
            for expr, size in zip(amap.results, ir.ShapedType(value.type).shape):
                if isinstance(expr, ir.AffineDimExpr) and size > 0:
                    ranges[ir.AffineDimExpr(expr).position] = size
    loops = math.prod(ranges.values()) if ranges else 1
    short = ",".join(n.split(".", 1)[1] for n in arithmetic) or ("fill" if not body else "copy")
    if "reduction" in str(op.attributes["iterator_types"]):
        short = f"reduce({short})"
    return short, loops * len(arithmetic)


def kernel_table(fused_ir: str, context: ir.Context) -> list[dict]:
    """The kernels of a module at the `fused` stage (its text, weights elided)."""
    with context:
        module = ir.Module.parse(fused_ir)
    producers: dict = {}
    kernels = []
    entry = next(op for op in module.body.operations if op.operation.name == "func.func"
                 and "sym_visibility" not in op.attributes)
    arguments = {arg: f"input {i}" for i, arg in enumerate(entry.regions[0].blocks[0].arguments)}
    for op in entry.regions[0].blocks[0].operations:
        if op.operation.name != "ember.fusion_group":
            continue
        index = len(kernels)
        inside = []

        def visit(inner):
            if inner.name.startswith("linalg.") and inner.name != "linalg.yield":
                inside.append(inner)
            return ir.WalkResult.ADVANCE

        op.operation.walk(visit)
        ops, flops, reads = [], 0, {}
        for inner in inside:
            name, work = _describe(inner)
            ops.append(name)
            flops += work
            for value in inner.operands:
                owner = value.owner
                external = isinstance(value, ir.BlockArgument) and value in arguments or (
                    not isinstance(value, ir.BlockArgument) and not _within(owner.operation, op.operation))
                if external and isinstance(value.type, ir.ShapedType) and not _is_empty(value):
                    reads[value] = _source(value, arguments, producers)
        if not len(op.results):
            continue  # a group whose work folded away
        result = op.results[0].type
        kernels.append({
            "name": f"k{index}",
            "kind": ir.StringAttr(op.attributes["kind"]).value,
            "ops": ops,
            "shape": list(ir.ShapedType(result).shape),
            "dtype": str(ir.ShapedType(result).element_type),
            "flops": flops,
            "bytes": sum(_bytes(v.type) for v in reads) + _bytes(result),
            "inputs": [{"from": source, "shape": list(ir.ShapedType(v.type).shape)} for v, source in reads.items()],
        })
        producers[op.results[0]] = f"k{index}"
    return kernels


def _within(op: ir.Operation, group: ir.Operation) -> bool:
    while op is not None:
        if op == group:
            return True
        op = op.parent.operation if op.parent is not None else None
    return False


def _is_empty(value: ir.Value) -> bool:
    return not isinstance(value, ir.BlockArgument) and value.owner.operation.name == "tensor.empty"


def _source(value: ir.Value, arguments: dict, producers: dict) -> str:
    if value in arguments:
        return arguments[value]
    if value in producers:
        return producers[value]
    if value.owner.operation.name == "arith.constant":
        return "weight"
    return value.owner.operation.name
