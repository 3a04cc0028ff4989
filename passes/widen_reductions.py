"""ember-widen-reductions: f16 and bf16 sums accumulate in f32, as eager's do.

Matches `linalg.generic` sums (one result whose body yields `out + value`; see
ember-split-reductions) whose accumulator is f16 or bf16. Produces the same generic over an f32
accumulator: its init extended to f32, `value` extended before the addition, the result
truncated back once at the end. Accumulated in bf16, a sum of 3000 values in [0, 1) was off by
83% (bf16 stops growing once the increments fall below half an ulp of the sum); eager accumulates
in f32 and rounds once. Other reductions (max, min, products of narrow types) are left alone, and
so is every f32 or wider sum.
"""

from mlir import ir
from mlir.dialects import arith, linalg, tensor

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import collect_ops, is_sum


def _narrow(element: ir.Type) -> bool:
    return isinstance(element, (ir.F16Type, ir.BF16Type))


def _converted(value: ir.Value, element: ir.Type, before: ir.Operation) -> ir.Value:
    """`value` (a tensor) elementwise extended or truncated to `element`."""
    shaped = ir.RankedTensorType(value.type)
    wider = ir.FloatType(element).width > ir.FloatType(shaped.element_type).width
    identity = ir.AffineMap.get_identity(shaped.rank)
    with ir.InsertionPoint(before), before.location:
        empty = tensor.EmptyOp(list(shaped.shape), element).result
        result_type = ir.RankedTensorType.get(list(shaped.shape), element)
        convert = linalg.GenericOp([result_type], [value], [empty],
                                   ir.ArrayAttr.get([ir.AffineMapAttr.get(identity)] * 2),
                                   ir.ArrayAttr.get([ir.Attribute.parse("#linalg.iterator_type<parallel>")] * shaped.rank))
        block = convert.regions[0].blocks.append(shaped.element_type, element, arg_locs=[before.location] * 2)
        with ir.InsertionPoint(block):
            cast = arith.ExtFOp if wider else arith.TruncFOp
            linalg.YieldOp([cast(element, block.arguments[0]).result])
    return convert.results[0]


def _widen(generic) -> None:
    narrow_type = ir.RankedTensorType(generic.results[0].type)
    f32 = ir.F32Type.get()
    n_inputs = len(generic.operands) - 1
    init = _converted(generic.operands[n_inputs], f32, generic)
    with ir.InsertionPoint(generic), generic.location:
        wide = linalg.GenericOp([ir.RankedTensorType.get(list(narrow_type.shape), f32)],
                                list(generic.operands)[:n_inputs], [init],
                                generic.attributes["indexing_maps"], generic.attributes["iterator_types"])
    old = generic.regions[0].blocks[0]
    inputs = list(old.arguments)[:n_inputs]
    block = wide.regions[0].blocks.append(*[a.type for a in inputs], f32,
                                          arg_locs=[generic.location] * (n_inputs + 1))
    for old_arg, new_arg in zip(inputs, block.arguments):
        old_arg.replace_all_uses_with(new_arg)
    operations = [o.operation for o in old.operations]
    addition, terminator = operations[-1].operands[0].owner.operation, operations[-1]
    for inner in operations:
        if inner not in (addition, terminator):
            block.append(inner)
    accumulator = old.arguments[n_inputs]
    value = next(v for v in addition.operands if v != accumulator)
    with ir.InsertionPoint(block), generic.location:
        total = arith.AddFOp(arith.ExtFOp(f32, value).result, block.arguments[n_inputs]).result
        linalg.YieldOp([total])
    result = _converted(wide.results[0], narrow_type.element_type, generic)
    generic.results[0].replace_all_uses_with(result)
    generic.erase()


@register_pass
class WidenReductions(EmberPass):
    NAME = "ember-widen-reductions"
    SUMMARY = "f16/bf16 sums accumulate in f32 and round once, as eager's do"

    def run(self, op) -> None:
        for generic in collect_ops(op, lambda o: o.name == "linalg.generic" and is_sum(o)
                                   and _narrow(ir.RankedTensorType(o.results[0].type).element_type)):
            _widen(generic)
