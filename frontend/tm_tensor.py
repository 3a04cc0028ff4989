"""torch-mlir's `tm_tensor` ops (sort, topk, scan, scatter), lowered while the IR is still in
torch-mlir's context: upstream MLIR has no such dialect and cannot parse them.

torch-mlir's own `tm-tensor-bufferize` and `tm-tensor-to-loops` turn each op into loops over a
fresh buffer inside the tensor IR; ember's `ember-seal-buffer-islands` pass then readies those
islands for One-Shot Bufferize.
"""

from torch_mlir import ir as tm_ir
from torch_mlir.dialects import arith as tm_arith

LOWER_TO_LOOPS = "builtin.module(func.func(tm-tensor-bufferize,tm-tensor-to-loops))"

_COMPARING_OPS = frozenset({"tm_tensor.sort", "tm_tensor.topk"})
_SIGNED_TO_UNSIGNED = {2: 6, 3: 7, 4: 8, 5: 9}  # arith.cmpi predicates: slt, sle, sgt, sge → ult, ...
# arith.cmpf predicates of a comparator: ogt, oge (descending), olt, ole (ascending).
_OGT, _OGE, _OLT, _OLE, _UNO = 2, 3, 4, 5, 14


def compare_bools_unsigned(module: tm_ir.Module) -> None:
    """torch orders False before True, but torch-mlir's sort comparator compares `i1` with signed
    predicates, where true is -1: it would sort True first. Makes those comparisons unsigned."""
    comparators = []

    def collect(op):
        if op.operation.name in _COMPARING_OPS:
            comparators.append(op.operation)
            return tm_ir.WalkResult.SKIP
        return tm_ir.WalkResult.ADVANCE

    def fix(op):
        op = op.operation
        operand_type = op.operands[0].type if op.name == "arith.cmpi" else None
        if isinstance(operand_type, tm_ir.IntegerType) and operand_type.width == 1:
            predicate = op.attributes["predicate"]
            if predicate.value in _SIGNED_TO_UNSIGNED:
                op.attributes["predicate"] = tm_ir.IntegerAttr.get(predicate.type, _SIGNED_TO_UNSIGNED[predicate.value])
        return tm_ir.WalkResult.ADVANCE

    with module.context:
        module.operation.walk(collect, tm_ir.WalkOrder.PRE_ORDER)
        for comparator in comparators:
            comparator.walk(fix, tm_ir.WalkOrder.PRE_ORDER)


def order_nan_greatest(module: tm_ir.Module) -> None:
    """torch sorts NaN as greater than every number (last ascending, first descending; topk's
    largest first), but torch-mlir's comparators are ordered `cmpf`s, false for any NaN: the
    sort then left NaN wherever the swaps stopped ([-inf, nan, -2, 1, 3, inf]). Each comparison
    becomes the total order with NaN greatest: a < b is `a < b or (b is NaN and a is not)`,
    a <= b is `a <= b or b is NaN`, and the mirror for > and >=."""
    comparisons = []

    def collect(op):
        if op.operation.name in _COMPARING_OPS:
            def visit(inner):
                if inner.operation.name == "arith.cmpf":
                    comparisons.append(inner.operation)
                return tm_ir.WalkResult.ADVANCE

            op.operation.walk(visit, tm_ir.WalkOrder.PRE_ORDER)
            return tm_ir.WalkResult.SKIP
        return tm_ir.WalkResult.ADVANCE

    with module.context:
        module.operation.walk(collect, tm_ir.WalkOrder.PRE_ORDER)
        for compare in comparisons:
            predicate = compare.attributes["predicate"]
            if predicate.value not in (_OGT, _OGE, _OLT, _OLE):
                continue
            a, b = compare.operands
            with tm_ir.InsertionPoint.after(compare), compare.location:
                uno = tm_ir.IntegerAttr.get(predicate.type, _UNO)
                a_nan = tm_arith.CmpFOp(uno, a, a).result
                b_nan = tm_arith.CmpFOp(uno, b, b).result
                greater_side, other = (b_nan, a_nan) if predicate.value in (_OLT, _OLE) else (a_nan, b_nan)
                if predicate.value in (_OLE, _OGE):
                    nan_wins = greater_side
                else:
                    true = tm_arith.ConstantOp(greater_side.type, tm_ir.IntegerAttr.get(greater_side.type, 1)).result
                    nan_wins = tm_arith.AndIOp(greater_side, tm_arith.XOrIOp(other, true).result).result
                total = tm_arith.OrIOp(compare.result, nan_wins)
            for use in list(compare.result.uses):
                if use.owner.operation != total.operation:
                    use.owner.operands[use.operand_number] = total.result
