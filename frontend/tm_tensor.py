"""torch-mlir's `tm_tensor` ops (sort, topk, scan, scatter), lowered while the IR is still in
torch-mlir's context: upstream MLIR has no such dialect and cannot parse them.

torch-mlir's own `tm-tensor-bufferize` and `tm-tensor-to-loops` turn each op into loops over a
fresh buffer inside the tensor IR; ember's `ember-seal-buffer-islands` pass then readies those
islands for One-Shot Bufferize.
"""

from torch_mlir import ir as tm_ir

LOWER_TO_LOOPS = "builtin.module(func.func(tm-tensor-bufferize,tm-tensor-to-loops))"

_COMPARING_OPS = frozenset({"tm_tensor.sort", "tm_tensor.topk"})
_SIGNED_TO_UNSIGNED = {2: 6, 3: 7, 4: 8, 5: 9}  # arith.cmpi predicates: slt, sle, sgt, sge → ult, ...


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
