"""ember-erase-dead-results: drops the results of a `linalg.generic` that nothing uses, together
with the body computation that only they needed.

Matches `linalg.generic` ops on tensors with a result that has no uses and whose output block
argument feeds no other yielded value (torch's `max(dim)`, which softmax uses, yields the maximum
and its index; the index is dropped), and produces the same op without that result, its output
operand and the body ops that computed it. Upstream's dead-result canonicalization keeps such a
result because the body reads its output (the running index); the vectorizer rejects the
two-result reduction with `linalg.index`, so without this the whole reduction stays scalar.
"""

from mlir import ir
from mlir.dialects import linalg

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import collect_ops


def _feeds(value: ir.Value, targets: set) -> bool:
    """Whether `value` flows (within the body) into any value of `targets`."""
    seen, work = set(), [value]
    while work:
        v = work.pop()
        for use in v.uses:
            owner = use.owner
            if owner.name == "linalg.yield":
                if use.operand_number in targets:
                    return True
                continue
            if owner in seen:
                continue
            seen.add(owner)
            work.extend(owner.results)
    return False


def _dead_results(op: ir.Operation) -> list[int]:
    body = op.regions[0].blocks[0]
    n_inputs = len(op.operands) - len(op.results)
    dead = [i for i, r in enumerate(op.results) if not list(r.uses)]
    live = set(range(len(op.results))) - set(dead)
    return [i for i in dead if live and not _feeds(body.arguments[n_inputs + i], live)]


def _erase_unused(block: ir.Block) -> None:
    for inner in reversed(list(block.operations)):
        inner = inner.operation
        if inner.name != "linalg.yield" and not inner.regions and all(not list(r.uses) for r in inner.results):
            inner.erase()


def erase_dead_results(op: ir.Operation) -> None:
    dead = _dead_results(op)
    if not dead:
        return
    n_inputs = len(op.operands) - len(op.results)
    keep = [i for i in range(len(op.results)) if i not in dead]
    inputs = list(op.operands)[:n_inputs]
    outputs = [op.operands[n_inputs + i] for i in keep]
    maps = list(op.attributes["indexing_maps"])
    old = op.regions[0].blocks[0]
    with ir.InsertionPoint(op), op.location:
        new = linalg.GenericOp(
            [op.results[i].type for i in keep], inputs, outputs,
            ir.ArrayAttr.get(maps[:n_inputs] + [maps[n_inputs + i] for i in keep]),
            op.attributes["iterator_types"],
        )
    kept_args = list(old.arguments)[:n_inputs] + [old.arguments[n_inputs + i] for i in keep]
    block = new.regions[0].blocks.append(*[a.type for a in kept_args], arg_locs=[op.location] * len(kept_args))
    for old_arg, new_arg in zip(kept_args, block.arguments):
        old_arg.replace_all_uses_with(new_arg)
    terminator = None
    for inner in list(old.operations):
        inner = inner.operation
        if inner.name == "linalg.yield":
            terminator = inner
            continue
        block.append(inner)
    with ir.InsertionPoint(block), op.location:
        linalg.YieldOp([terminator.operands[i] for i in keep])
    terminator.erase()
    _erase_unused(block)
    for i, result in zip(keep, new.results):
        op.results[i].replace_all_uses_with(result)
    op.erase()


@register_pass
class EraseDeadResults(EmberPass):
    NAME = "ember-erase-dead-results"
    SUMMARY = "Drops unused linalg.generic results (and their body computation), e.g. max(dim)'s index"

    def run(self, op):
        for generic in collect_ops(op, lambda o: o.name == "linalg.generic" and len(o.results) > 1):
            erase_dead_results(generic)
