"""ember-fuse-elementwise: merges chains of elementwise ops into one `linalg.generic`.

Matches an all-parallel `linalg.generic` (the producer) whose one result is read only by
another all-parallel `linalg.generic` (the consumer), as inputs through one map, where the producer writes its
result through a permutation map, neither body reads `linalg.index`, and the producer's body
does not read its output; produces one generic over the consumer's loops that reads the
consumer's other inputs and the producer's inputs (their maps composed through the producer's
output map) and computes the producer's body, then the consumer's. With `weight-copies`, a
producer that copies a constant also fuses into a consumer with reductions. Repeats until no pair is
left. A batch-norm + ReLU6 chain (sub, mul, mul, add, compare, select, compare, select, with
i1 masks between them) becomes one op: one loop nest, no intermediate tensors, and an epilogue
that ember-fuse-groups fuses into its convolution (it reads the convolution's result once).

Why not upstream's linalg-fuse-elementwise-ops: it also propagates reshapes by expansion, which
turns an attention block's [128, 256] x [256, 768] matmul into a 5-D [1, 128, 3, 4, 64] nest
that no register-blocked schedule fits (the encoder block ran 13x slower), and it fuses
producers into reductions, where they are recomputed per reduction step.
"""

from mlir import ir
from mlir.dialects import linalg

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import iterator_types, ops_named

_ROUND = "ember.fuse_elementwise.index"


def _elementwise(op: ir.Operation) -> bool:
    return op.name == "linalg.generic" and "reduction" not in iterator_types(op) \
        and not any(inner.operation.name == "linalg.index" for inner in op.regions[0].blocks[0].operations)


def _maps(op: ir.Operation) -> list[ir.AffineMap]:
    return [ir.AffineMapAttr(m).value for m in op.attributes["indexing_maps"]]


def _compose(outer: ir.AffineMap, inner: ir.AffineMap) -> ir.AffineMap:
    """outer ∘ inner: `inner` applied first."""
    return ir.AffineMap.get(inner.n_dims, 0, [e.compose(inner) for e in outer.results])


def _copies_weight(op: ir.Operation) -> bool:
    """Whether the body only yields its one input, which is a constant: a weight broadcast or
    transposed (torch's matmul of a 3-D input by a weight broadcasts the weight to the batch)."""
    block = op.regions[0].blocks[0]
    body = list(block.operations)
    if len(op.operands) != 2 or len(body) != 1 or body[0].operands[0] != block.arguments[0]:
        return False
    source = op.operands[0].owner
    return not isinstance(source, ir.Block) and source.name == "arith.constant"


def _fusable(producer: ir.Operation, weight_copies: bool = False) -> ir.Operation | None:
    """The consumer `producer` fuses into, or None."""
    if not _elementwise(producer) or len(producer.results) != 1:
        return None
    uses = list(producer.results[0].uses)
    consumer = uses[0].owner if uses else None
    if consumer is None or any(use.owner != consumer for use in uses):
        return None
    if not _elementwise(consumer.operation) and not (
            weight_copies and consumer.name == "linalg.generic" and _copies_weight(producer)):
        return None
    if any(use.operand_number >= len(consumer.operands) - len(consumer.results) for use in uses):
        return None  # read as an output
    maps = _maps(consumer.operation)
    if len({str(maps[use.operand_number]) for use in uses}) != 1:
        return None  # read through two maps: the fused body would need the value twice
    reads_output = any(True for _ in list(producer.regions[0].blocks[0].arguments)[-1].uses)
    if not _maps(producer)[-1].is_permutation or reads_output:
        return None
    return consumer.operation


def _fuse(producer: ir.Operation, consumer: ir.Operation) -> None:
    reads = sorted({use.operand_number for use in producer.results[0].uses})  # the consumer's operands
    fused_at = reads[0]
    p_maps, c_maps = _maps(producer), _maps(consumer)
    p_inputs = len(producer.operands) - 1
    c_inputs = len(consumer.operands) - len(consumer.results)
    # The producer's loops as functions of the consumer's: dim k of the producer is the index
    # that its (permutation) output map puts it at, read through the consumer's map.
    out_positions = [e.position for e in p_maps[-1].results]
    to_producer = ir.AffineMap.get(p_maps[-1].n_dims, 0, [ir.AffineDimExpr.get(out_positions.index(k))
                                                          for k in range(p_maps[-1].n_dims)])
    through = _compose(to_producer, c_maps[fused_at])
    c_block, p_block = consumer.regions[0].blocks[0], producer.regions[0].blocks[0]
    c_args, p_args = list(c_block.arguments), list(p_block.arguments)
    # The fused op's inputs: the consumer's others, then the producer's; one operand per value
    # read through the same map (x read by a mask and by the select that uses the mask: once, so
    # that the value keeps the single use ember-fuse-groups looks for).
    candidates = [(consumer.operands[i], c_maps[i], c_args[i]) for i in range(c_inputs) if i not in reads] + \
        [(producer.operands[i], _compose(p_maps[i], through), p_args[i]) for i in range(p_inputs)]
    inputs, maps, readers = [], [], []  # readers[k]: the old block arguments that input k replaces
    for value, amap, arg in candidates:
        same = next((k for k, (v, m) in enumerate(zip(inputs, maps)) if v == value and m == amap), None)
        if same is None:
            inputs.append(value)
            maps.append(amap)
            readers.append([arg])
        else:
            readers[same].append(arg)
    inits = list(consumer.operands[c_inputs:])
    with ir.InsertionPoint(consumer), consumer.location:
        fused = linalg.GenericOp([r.type for r in consumer.results], inputs, inits,
                                 ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for m in maps + c_maps[c_inputs:]]),
                                 consumer.attributes["iterator_types"])
    arg_types = [group[0].type for group in readers] + [a.type for a in c_args[c_inputs:]]
    block = fused.regions[0].blocks.append(*arg_types, arg_locs=[consumer.location] * len(arg_types))
    args = list(block.arguments)
    for group, new in zip(readers + [[a] for a in c_args[c_inputs:]], args):
        for old in group:
            old.replace_all_uses_with(new)
    p_yield = list(p_block.operations)[-1]
    for i in reads:
        c_args[i].replace_all_uses_with(p_yield.operands[0])
    for inner in list(p_block.operations)[:-1] + list(c_block.operations):
        block.append(inner.operation)
    p_yield.erase()
    for old, new in zip(consumer.results, fused.results):
        old.replace_all_uses_with(new)
    consumer.erase()
    producer.erase()


@register_pass
class FuseElementwise(EmberPass):
    NAME = "ember-fuse-elementwise"
    SUMMARY = "Merges single-use chains of elementwise linalg.generic ops into one op"

    # Also fuses a generic that copies a weight (a broadcast or transpose of a constant) into
    # any consumer, reductions included: the consumer reads the weight itself, through the
    # composed map, instead of a copy made on every call (a [64, 192] weight broadcast to
    # [16, 64, 192] for a batch matmul copied 196 KB per call).
    weight_copies: bool = False

    def run(self, op):
        # Rounds over the generics as they were at the round's start, each fused at most once
        # per round; a chain of n ops takes about log n rounds. An op erased in a round is never
        # touched again (not even hashed: its Python object is dangling): the snapshot's ops are
        # known by the index in their `_ROUND` attribute, a fused op has none.
        while True:
            generics = ops_named(op, "linalg.generic")
            for i, generic in enumerate(generics):
                generic.attributes[_ROUND] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64, op.context), i)
            erased = [False] * len(generics)
            for i, producer in enumerate(generics):
                if erased[i]:
                    continue
                consumer = _fusable(producer, self.weight_copies)
                if consumer is None or _ROUND not in consumer.attributes:
                    continue
                j = ir.IntegerAttr(consumer.attributes[_ROUND]).value
                if erased[j]:
                    continue
                erased[i] = erased[j] = True
                _fuse(producer, consumer)
            for i, generic in enumerate(generics):
                if not erased[i]:
                    del generic.attributes[_ROUND]
            if not any(erased):
                return
