"""The one IR walk that ember's passes share: collect ops first, rewrite after (rewriting while
the walk is under way would invalidate it)."""

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
