"""`ember-parallel-dims-outer`: a linalg op's parallel loops outside its reduction loops.

Matches every `linalg.generic` (on tensors or buffers) with a reduction dim before a parallel
one, and produces the same op over the same iteration space with its dims ordered parallel
first, reductions after (each group in its order): its indexing maps and iterator types
permuted, its `linalg.index` ops renumbered. Nothing else changes: each output element is
accumulated in the same order.

Why: `convert-linalg-to-parallel-loops` puts into its `scf.parallel` only the parallel dims
outside the first reduction. A reduction outside (what `ember-split-reductions` makes of a long
sum: a sum over the row dim of row blocks) leaves a sequential loop around the parallel one,
which a device target runs as a kernel of one thread. Upstream's interchange
(`transform.structured.interchange`) does the same rewrite but needs a transform script per op;
this is the one permutation every such op needs.
"""

from mlir import ir

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import collect_ops, iterator_types


def _permutation(kinds: list[str]) -> list[int] | None:
    order = [d for d, k in enumerate(kinds) if k == "parallel"] + [d for d, k in enumerate(kinds) if k != "parallel"]
    return None if order == list(range(len(kinds))) else order


def _interchange(op: ir.Operation, order: list[int]) -> None:
    inverse = [0] * len(order)  # old dim k is new dim inverse[k]
    for new, old in enumerate(order):
        inverse[old] = new
    rename = ir.AffineMap.get_permutation(inverse)
    maps = []
    for attr in op.attributes["indexing_maps"]:
        old = ir.AffineMapAttr(attr).value
        maps.append(ir.AffineMapAttr.get(ir.AffineMap.get(len(order), old.n_symbols,
                                                          [e.compose(rename) for e in old.results])))
    op.attributes["indexing_maps"] = ir.ArrayAttr.get(maps)
    kinds = list(op.attributes["iterator_types"])
    op.attributes["iterator_types"] = ir.ArrayAttr.get([kinds[old] for old in order])
    for index in collect_ops(op, lambda o: o.name == "linalg.index"):
        dim = ir.IntegerAttr(index.attributes["dim"]).value
        index.attributes["dim"] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), inverse[dim])


@register_pass
class ParallelDimsOuter(EmberPass):
    NAME = "ember-parallel-dims-outer"
    SUMMARY = "Orders a linalg.generic's loops parallel dims first, reductions inside"

    def run(self, op) -> None:
        for generic in collect_ops(op, lambda o: o.name == "linalg.generic"):
            order = _permutation(iterator_types(generic))
            if order is not None:
                _interchange(generic, order)
