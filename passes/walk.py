"""The IR helpers that ember's passes share, each once: the walk (collect ops first, rewrite
after: rewriting while the walk is under way would invalidate it), constant matching, a linalg
op's iterator types, the sum matcher, the enclosing op within a block, and a convolution's
strides and dilations."""

from typing import Callable

from mlir import ir


def collect_ops(
    root: ir.Operation,
    predicate: Callable[[ir.Operation], bool],
    order: ir.WalkOrder = ir.WalkOrder.POST_ORDER,
) -> list[ir.Operation]:
    """The ops under `root` (itself included) for which `predicate` holds, in walk `order`."""
    found = []

    def visit(op):
        if predicate(op):
            found.append(op)
        return ir.WalkResult.ADVANCE

    root.walk(visit, order)
    return found


def ops_named(root: ir.Operation, name: str, order: ir.WalkOrder = ir.WalkOrder.POST_ORDER) -> list[ir.Operation]:
    return collect_ops(root, lambda op: op.name == name, order)


def constant_int(value: ir.Value) -> int | None:
    """The value of an integer or index `arith.constant`, else None."""
    owner = value.owner
    if isinstance(owner, ir.OpView) and owner.name == "arith.constant":
        attr = owner.attributes["value"]
        if isinstance(attr, ir.IntegerAttr):
            return attr.value
    return None


def iterator_types(op: ir.Operation) -> list[str] | None:
    """A linalg op's iterator types ("parallel", "reduction"), or None for another op."""
    if "iterator_types" not in op.attributes:
        return None
    return [str(a).split("<")[-1].rstrip(">") for a in op.attributes["iterator_types"]]


def is_sum(generic: ir.Operation) -> bool:
    """A linalg.generic with one float result whose body yields `out + value`, the accumulator
    used nowhere else, and no `linalg.index` (a sum, mean, norm, pooling, ...)."""
    if len(generic.results) != 1 or not isinstance(generic.results[0].type.element_type, ir.FloatType):
        return False
    body = generic.regions[0].blocks[0]
    ops = [o.operation for o in body.operations]
    if any(o.name == "linalg.index" for o in ops):
        return False
    accumulator, yielded = body.arguments[len(body.arguments) - 1], ops[-1].operands[0]
    final = yielded.owner
    if not isinstance(final, ir.OpView) or final.name != "arith.addf":
        return False
    uses = [use.owner for use in accumulator.uses]
    return len(uses) == 1 and uses[0] == final and list(final.operands).count(accumulator) == 1


def ancestor_in(op: ir.Operation, block: ir.Block) -> ir.Operation | None:
    """The op of `block` that is `op` or holds it; None if `op` is not inside `block`."""
    op = op.operation
    while op is not None:
        if op.parent is None:
            return None
        if op.block == block:
            return op
        op = op.parent.operation
    return None


def conv_pair(op: ir.Operation, name: str) -> list[int]:
    """A convolution's `strides` or `dilations` as [h, w] ([1, 1] when absent)."""
    if name not in op.attributes:
        return [1, 1]
    return [int(v) for v in ir.DenseIntElementsAttr(op.attributes[name])]
