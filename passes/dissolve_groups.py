"""ember-dissolve-groups: inlines every `ember.fusion_group` back into its parent block.

Matches `ember.fusion_group` ops (made by `ember-fuse-groups`, possibly already tiled and
vectorized inside by `ember-tile-and-vectorize`) and produces their body's ops in their place:
block arguments become the group's operands again and the group's results become the values
its `gpu.yield` returned. Bufferization and the LLVM lowering know nothing of ember's dialect,
so this runs before them.
"""

from mlir import ir

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import ops_named


def fusion_groups(op: ir.Operation) -> list[ir.Operation]:
    """All `ember.fusion_group` ops under `op`, outermost first."""
    return ops_named(op, "ember.fusion_group", ir.WalkOrder.PRE_ORDER)


def dissolve(group: ir.Operation) -> None:
    block = group.regions[0].blocks[0]
    for argument, operand in zip(block.arguments, group.operands):
        argument.replace_all_uses_with(operand)
    terminator = None
    for op in list(block.operations):
        if op.operation.name == "gpu.yield":
            terminator = op.operation
        else:
            op.operation.move_before(group)
    for result, value in zip(group.results, terminator.operands):
        result.replace_all_uses_with(value)
    group.erase()


@register_pass
class DissolveGroups(EmberPass):
    NAME = "ember-dissolve-groups"
    SUMMARY = "Inlines ember.fusion_group bodies into their parent blocks"

    def run(self, op):
        for group in fusion_groups(op):
            dissolve(group)
