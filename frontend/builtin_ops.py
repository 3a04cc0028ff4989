"""torch ops that torch-mlir 20261001 has no lowering for, rewritten in the imported torch IR as
one elementwise `linalg.generic` on builtin tensors (between `torch_c.to_builtin_tensor` and
`torch_c.from_builtin_tensor`), which torch-mlir's linalg pipeline then carries through:

- `aten.view.dtype` between element types of one width (f32 <-> i32, f16/bf16 <-> i16, f64 <->
  i64): an `arith.bitcast` per element. signbit and copysign are decomposed into it
  (ember.frontend.unlowered_ops), and users' own `x.view(torch.int32)` compiles.
- `ember::check` (ember.frontend.runtime_check_op): a `cf.assert`;
- `aten.neg` of integers: `arith.subi` from 0. torch-mlir negates integers in f32, which
  rounds every value past 2**24 (-x of an int64 came back wrong, and abs through it).
- `aten.erfc`: `math.erfc` (libm's erfcf), in f32 for f16/bf16 as eager computes it. The
  decomposition 1 - erf(x) loses every digit where erfc is small (erfc(5) = 1.5e-12 is 0).

A view between widths (f32 as int8) or from/to bool is left alone: torch-mlir's LoweringError
names it.
"""

import re

from torch_mlir import ir as tm_ir
from torch_mlir.dialects import arith, cf, linalg, math, tensor
from torch_mlir.passmanager import PassManager

# torch element types and their builtin (signless) forms
_BUILTIN_ELEMENT = {"f16": "f16", "bf16": "bf16", "f32": "f32", "f64": "f64", "si8": "i8", "ui8": "i8",
                    "si16": "i16", "si32": "i32", "si64": "i64", "i1": "i1"}
_WIDTH = {"i1": 1, "f16": 16, "bf16": 16, "f32": 32, "f64": 64, "i8": 8, "i16": 16, "i32": 32, "i64": 64}
_VTENSOR = re.compile(r"!torch\.vtensor<\[([^\]]*)\],(\w+)>")


def _builtin_type(vtensor: tm_ir.Type) -> tuple[tm_ir.Type, list[int]] | None:
    """The builtin tensor type of a `!torch.vtensor` and the positions of its dynamic dims."""
    match = _VTENSOR.fullmatch(str(vtensor))
    if not match or match.group(2) not in _BUILTIN_ELEMENT:
        return None
    dims = [d.strip() for d in match.group(1).split(",") if d.strip()]
    shape = "".join(f"{'?' if d == '?' else int(d)}x" for d in dims)
    return tm_ir.Type.parse(f"tensor<{shape}{_BUILTIN_ELEMENT[match.group(2)]}>"), [i for i, d in enumerate(dims) if d == "?"]


def _replace_elementwise(op: tm_ir.Operation, body) -> bool:
    """`op` (one tensor operand, one tensor result) as a linalg.generic whose body is
    `body(element, result element type)`; False (nothing changed) where a type has no form."""
    source, result = _builtin_type(op.operands[0].type), _builtin_type(op.results[0].type)
    if source is None or result is None:
        return False
    (source_type, dynamic), (result_type, _) = source, result
    source_element, result_element = tm_ir.RankedTensorType(source_type).element_type, tm_ir.RankedTensorType(result_type).element_type
    rank = tm_ir.RankedTensorType(source_type).rank
    with tm_ir.InsertionPoint(op), op.location:
        value = tm_ir.Operation.create("torch_c.to_builtin_tensor", results=[source_type], operands=[op.operands[0]]).result
        sizes = [tensor.DimOp(value, arith.ConstantOp(tm_ir.IndexType.get(), i).result).result if i in dynamic else n
                 for i, n in enumerate(tm_ir.RankedTensorType(source_type).shape)]
        empty = tensor.EmptyOp(sizes, result_element)
        identity = tm_ir.AffineMapAttr.get(tm_ir.AffineMap.get_identity(rank))
        parallel = tm_ir.Attribute.parse("#linalg.iterator_type<parallel>")
        generic = linalg.GenericOp([result_type], [value], [empty.result], tm_ir.ArrayAttr.get([identity, identity]),
                                   tm_ir.ArrayAttr.get([parallel] * rank))
        block = generic.regions[0].blocks.append(source_element, result_element)
        with tm_ir.InsertionPoint(block):
            linalg.YieldOp([body(block.arguments[0], result_element)])
        back = tm_ir.Operation.create("torch_c.from_builtin_tensor", results=[op.results[0].type],
                                      operands=[generic.result])
    op.results[0].replace_all_uses_with(back.result)
    op.erase()
    return True


def _bitcast(op: tm_ir.Operation) -> bool:
    source, result = _builtin_type(op.operands[0].type), _builtin_type(op.results[0].type)
    if source is None or result is None:
        return False
    widths = {_WIDTH[str(tm_ir.RankedTensorType(t).element_type)] for t, _ in (source, result)}
    if len(widths) != 1:
        return False
    return _replace_elementwise(op, lambda x, element: arith.BitcastOp(element, x).result)


def _erfc(op: tm_ir.Operation) -> bool:
    def body(x, element):
        f32 = tm_ir.F32Type.get()
        if isinstance(x.type, tm_ir.IntegerType):
            x = arith.SIToFPOp(element, x).result
        narrow = str(element) in ("f16", "bf16")
        if narrow:
            x = arith.ExtFOp(f32, x).result
        y = math.ErfcOp(x).result
        return arith.TruncFOp(element, y).result if narrow else y

    return _replace_elementwise(op, body)


def _integer_neg(op: tm_ir.Operation) -> bool:
    source = _builtin_type(op.operands[0].type)
    if source is None or not isinstance(tm_ir.RankedTensorType(source[0]).element_type, tm_ir.IntegerType):
        return False  # floats: torch-mlir's negf is right
    return _replace_elementwise(op, lambda x, element: arith.SubIOp(arith.ConstantOp(element, 0).result, x).result)


# by op name; ops without a registered torch op of their own are `torch.operator`s, by their `name`
def _check(op: tm_ir.Operation) -> bool:
    """`ember::check` (ember.frontend.runtime_check_op): a `cf.assert` of its condition, and
    its value passed through."""
    condition, value = op.operands[0], op.operands[1]
    message = op.operands[2].owner.attributes["value"]
    with tm_ir.InsertionPoint(op), op.location:
        flag = tm_ir.Operation.create("torch_c.to_builtin_tensor", results=[_builtin_type(condition.type)[0]],
                                      operands=[condition]).result
        cf.AssertOp(tensor.ExtractOp(flag, []).result, tm_ir.StringAttr(message).value)
    op.results[0].replace_all_uses_with(value)
    op.erase()
    return True


_REWRITES = {"torch.aten.view.dtype": _bitcast, "torch.aten.erfc": _erfc, "torch.aten.neg": _integer_neg, "torch.ember.check": _check}


def _name(op: tm_ir.Operation) -> str:
    if op.name == "torch.operator":
        return tm_ir.StringAttr(op.attributes["name"]).value
    return op.name


def rewrite(module: tm_ir.Module) -> None:
    """Rewrites every op of `_REWRITES` in `module`, as the FX importer made it (before
    torch-mlir's backend pipeline, which refuses an unknown `torch.operator`)."""
    found = []

    def collect(op):
        if _name(op.operation) in _REWRITES:
            found.append(op.operation)
        return tm_ir.WalkResult.ADVANCE

    with module.context:
        module.operation.walk(collect, tm_ir.WalkOrder.PRE_ORDER)
        if not found:
            return
        # torch_c, the conversion dialect, is loaded by the passes that use it, not by the
        # Python bindings: an empty run of one of them loads it into this context.
        PassManager.parse("builtin.module(func.func(convert-torch-to-linalg))").run(
            tm_ir.Module.parse("module {}").operation)
        for op in found:
            _REWRITES[_name(op)](op)
