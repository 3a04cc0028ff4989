"""Fusion groups that are the same computation on other values (a model's repeated layers), so
that a pass schedules one of them and copies the result to the others: BERT-base's 12 layers
made ember-tile-and-vectorize run the same transform-dialect schedules 12 times (3.9 of its
5.4 s on a Zen 3 core).

Two groups are twins when they print the same (locally: the names of values from above left
out), use their values from above in the same pattern (which use is which value), and those
values match: the same types, and for constants the same value where it is a splat or small
(a folder may read those into the code; a large non-splat constant, a weight, is only sliced and
loaded, and so may differ). A scheduled group is copied to its twin with each value from above
replaced by the twin's, then the twin is replaced by the copy. A group whose scheduled form
reaches a value from above that the original did not use is not copied (it is scheduled itself).
"""

import re

from mlir import ir

_SSA_NAME = re.compile(r"%[\w.$-]+")
_SMALL_CONSTANT = 16  # elements: a constant of at most this many is part of the key


def values_from_above(group: ir.Operation) -> list[ir.Value]:
    """The values that `group`'s ops use but that are defined outside it, in order of first use."""
    defined, uses = set(), []

    def visit(op):
        defined.update(op.results)
        for region in op.regions:
            for block in region.blocks:
                defined.update(block.arguments)
        uses.extend(op.operands)
        return ir.WalkResult.ADVANCE

    for block in group.regions[0].blocks:
        defined.update(block.arguments)
        for op in block.operations:
            op.walk(visit, ir.WalkOrder.PRE_ORDER)
    found, seen = [], set()
    for value in uses:
        if value not in defined and value not in seen:
            seen.add(value)
            found.append(value)
    return found


def _describe(value: ir.Value) -> str:
    owner = value.owner
    if not isinstance(owner, ir.Block) and owner.name == "arith.constant":
        attr = owner.attributes["value"]
        if not isinstance(attr, ir.DenseElementsAttr) or attr.is_splat or len(attr) <= _SMALL_CONSTANT:
            return str(attr)
    return str(value.type)


def twin_key(group: ir.Operation) -> tuple[str, tuple[str, ...]]:
    """Equal for twins (see the module's docstring). The printer names values by their place in
    the whole function, so each name becomes its order of first appearance."""
    names = {}
    text = _SSA_NAME.sub(lambda m: names.setdefault(m.group(0), f"%v{len(names)}"),
                         group.get_asm(enable_debug_info=False, use_local_scope=True, assume_verified=True,
                                       print_generic_op_form=True))
    return text, tuple(_describe(v) for v in values_from_above(group))


def copy_to(scheduled: ir.Operation, original_above: list[ir.Value], twin: ir.Operation) -> bool:
    """Replaces `twin` by a copy of `scheduled` that reads the twin's values from above; False
    (the twin left as it is) where `scheduled` uses values from above that the original did not."""
    mapping = dict(zip(original_above, values_from_above(twin)))
    if any(v not in mapping for v in values_from_above(scheduled)):
        return False
    copy = scheduled.clone(ir.InsertionPoint(twin))

    def rebind(op):
        for i, value in enumerate(op.operands):
            if value in mapping:
                op.operands[i] = mapping[value]
        return ir.WalkResult.ADVANCE

    for block in copy.regions[0].blocks:
        for op in block.operations:
            op.walk(rebind)
    for old, new in zip(twin.results, copy.results):
        old.replace_all_uses_with(new)
    twin.erase()
    return True
