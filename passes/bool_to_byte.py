"""ember-bool-to-byte: stores booleans as bytes, so that no `i1` tensor ever becomes an `i1` memref.

Why: upstream's `finalize-memref-to-llvm` asserts (a SIGABRT, not an error) when it lowers a
`memref.load` of `i1`. torch keeps a bool tensor as one byte per element, so bytes are also what
the runtime hands in and gets back.

Matches every `tensor<...xi1>` and `memref<...xi1>` value (op results and block arguments) and
produces the same value typed `...xi8`, holding 0 or 1. Where an element crosses to a scalar,
the scalar stays `i1`:
- `linalg.generic`: a block argument of an `i1` operand becomes `i8` and is `arith.trunci`-ed at
  the start of the body; a value yielded into an `i1` output is `arith.extui`-ed;
- `tensor.extract`, `memref.load`: the loaded byte is `arith.trunci`-ed;
- `tensor.insert`, `memref.store`, `tensor.from_elements`, `tensor.splat`, the yield of
  `tensor.pad` / `tensor.generate`: the stored `i1` is `arith.extui`-ed;
- `arith.constant dense<...> : tensor<...xi1>` is rebuilt as an `i8` constant;
- `func.func` signatures follow their arguments and results.
Ops that only move elements (`tensor.empty`, slices, reshapes, `scf` loops, copies, ...) keep
working on bytes as they are. Any other op that touches a boolean tensor or buffer makes the pass
fail with its location rather than guess: it must run at the tensor level, after
`linalg-generalize-named-ops` (named ops are not handled) and before bufferization.
"""

import numpy as np
from mlir import ir
from mlir.dialects import arith

from ember.passes.registry import EmberPass, PassFailure, register_pass

# Ops that carry elements without looking at them: a byte flows through them like a bool.
_ELEMENT_AGNOSTIC = frozenset({
    "func.func", "func.return", "func.call",
    "scf.for", "scf.if", "scf.while", "scf.yield", "scf.condition", "scf.forall",
    "scf.forall.in_parallel",
    "tensor.empty", "tensor.extract_slice", "tensor.insert_slice", "tensor.parallel_insert_slice",
    "tensor.expand_shape", "tensor.collapse_shape", "tensor.cast", "tensor.concat",
    "tensor.reshape", "tensor.dim",
    "bufferization.to_buffer", "bufferization.to_tensor", "bufferization.alloc_tensor",
    "bufferization.materialize_in_destination", "bufferization.clone",
    "memref.alloc", "memref.alloca", "memref.dealloc", "memref.copy", "memref.subview",
    "memref.cast", "memref.expand_shape", "memref.collapse_shape", "memref.reinterpret_cast",
    "memref.dim",
})
# Ops whose scalar `i1` operand at this index is stored into a boolean tensor or buffer.
_STORED_OPERAND = {"tensor.insert": 0, "memref.store": 0}
_LOADS = frozenset({"tensor.extract", "memref.load"})
_SCALARS_STORED = frozenset({"tensor.from_elements", "tensor.splat"})
_YIELDING_ELEMENTS = frozenset({"tensor.pad", "tensor.generate"})
_HANDLED = (
    _ELEMENT_AGNOSTIC | set(_STORED_OPERAND) | _LOADS | _SCALARS_STORED | _YIELDING_ELEMENTS
    | {"linalg.generic", "linalg.yield", "tensor.yield", "arith.constant"}
)


def _is_bool(t: ir.Type) -> bool:
    return isinstance(t, ir.IntegerType) and t.width == 1


def _is_bool_shaped(t: ir.Type) -> bool:
    return isinstance(t, ir.ShapedType) and not isinstance(t, ir.VectorType) and _is_bool(t.element_type)


def _as_bytes(t: ir.Type) -> ir.Type:
    """The same tensor or memref type with `i8` elements."""
    i8 = ir.IntegerType.get_signless(8)
    if isinstance(t, ir.RankedTensorType):
        return ir.RankedTensorType.get(t.shape, i8, t.encoding, loc=ir.Location.unknown())
    if isinstance(t, ir.UnrankedTensorType):
        return ir.UnrankedTensorType.get(i8, loc=ir.Location.unknown())
    if isinstance(t, ir.MemRefType):
        return ir.MemRefType.get(t.shape, i8, t.layout, t.memory_space, loc=ir.Location.unknown())
    return ir.UnrankedMemRefType.get(i8, t.memory_space, loc=ir.Location.unknown())


def _bool_values(op: ir.Operation) -> list[ir.Value]:
    """The results and region arguments of `op` that are boolean tensors or buffers."""
    values = [r for r in op.results if _is_bool_shaped(r.type)]
    for region in op.regions:
        for block in region.blocks:
            values += [a for a in block.arguments if _is_bool_shaped(a.type)]
    return values


def _touches_bools(op: ir.Operation) -> bool:
    if op.name == "func.func":  # an external declaration has no arguments to show its types
        function_type = op.attributes["function_type"].value
        return any(_is_bool_shaped(t) for t in [*function_type.inputs, *function_type.results])
    if op.name == "arith.constant":
        return _is_bool_shaped(op.results[0].type)
    return bool(_bool_values(op)) or any(_is_bool_shaped(v.type) for v in op.operands)


def _is_handled(op: ir.Operation) -> bool:
    if op.name == "arith.constant":  # a dense_resource blob cannot be read back here
        return isinstance(op.attributes["value"], ir.DenseIntElementsAttr)
    return op.name in _HANDLED


def _extui(value: ir.Value, before: ir.Operation) -> ir.Value:
    return arith.ExtUIOp(ir.IntegerType.get_signless(8), value, loc=before.location, ip=ir.InsertionPoint(before)).result


def _truncate_uses(value: ir.Value, ip: ir.InsertionPoint, loc: ir.Location) -> None:
    """Retypes `value` to `i8` and gives its users an `i1` through a fresh `arith.trunci`."""
    value.set_type(ir.IntegerType.get_signless(8))
    if next(iter(value.uses), None) is None:
        return
    trunc = arith.TruncIOp(ir.IntegerType.get_signless(1), value, loc=loc, ip=ip)
    value.replace_all_uses_except(trunc.result, trunc.operation)


def _rewrite_generic(op: ir.Operation) -> None:
    body = op.regions[0].blocks[0]
    operands = list(op.operands)
    n_inputs = list(op.attributes["operandSegmentSizes"])[0]
    for operand, arg in zip(operands, body.arguments):
        if _is_bool_shaped(operand.type) and _is_bool(arg.type):
            _truncate_uses(arg, ir.InsertionPoint.at_block_begin(body), op.location)
    terminator = body.operations[len(body.operations) - 1]
    for i, output in enumerate(operands[n_inputs:]):
        if _is_bool_shaped(output.type) and _is_bool(terminator.operands[i].type):
            terminator.operands[i] = _extui(terminator.operands[i], terminator)


def _rewrite_constant(op: ir.Operation) -> None:
    value = op.attributes["value"]  # a DenseIntElementsAttr: `run` rejects the others
    if value.is_splat:
        byte = ir.IntegerAttr.get(ir.IntegerType.get_signless(8), value[0])
        op.attributes["value"] = ir.DenseElementsAttr.get_splat(_as_bytes(value.type), byte)
    else:
        data = np.array(value).astype(np.int8).reshape(value.type.shape)
        op.attributes["value"] = ir.DenseElementsAttr.get(data, type=ir.IntegerType.get_signless(8))


def _rewrite_scalar_crossings(op: ir.Operation) -> None:
    """Inserts the `i1` ↔ `i8` casts where an element of a boolean tensor becomes a scalar."""
    name = op.name
    if name == "linalg.generic":
        _rewrite_generic(op)
    elif name == "arith.constant":
        _rewrite_constant(op)
    elif name in _LOADS:
        _truncate_uses(op.results[0], ir.InsertionPoint.after(op), op.location)
    elif name in _STORED_OPERAND:
        index = _STORED_OPERAND[name]
        if _is_bool(op.operands[index].type):
            op.operands[index] = _extui(op.operands[index], op)
    elif name in _SCALARS_STORED:
        for i, operand in enumerate(op.operands):
            if _is_bool(operand.type):
                op.operands[i] = _extui(operand, op)
    elif name in _YIELDING_ELEMENTS:
        block = op.regions[0].blocks[0]
        terminator = block.operations[len(block.operations) - 1]
        if _is_bool(terminator.operands[0].type):
            terminator.operands[0] = _extui(terminator.operands[0], terminator)


def _retype_function(op: ir.Operation) -> None:
    function_type = op.attributes["function_type"].value
    inputs = [_as_bytes(t) if _is_bool_shaped(t) else t for t in function_type.inputs]
    results = [_as_bytes(t) if _is_bool_shaped(t) else t for t in function_type.results]
    op.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(inputs, results))


@register_pass
class BoolToByte(EmberPass):
    NAME = "ember-bool-to-byte"
    SUMMARY = "Stores boolean tensors and buffers as i8 (0/1) so that no i1 memref reaches the LLVM lowering"

    def run(self, op) -> None:
        touching: list[ir.Operation] = []
        unsupported: list[ir.Operation] = []

        def collect(inner):
            inner = inner.operation
            if _touches_bools(inner):
                (touching if _is_handled(inner) else unsupported).append(inner)
            return ir.WalkResult.ADVANCE

        op.walk(collect, ir.WalkOrder.PRE_ORDER)
        for inner in unsupported:
            inner.location.emit_error(
                f"ember-bool-to-byte cannot store the booleans of '{inner.name}' as bytes; it handles"
                " linalg.generic (run linalg-generalize-named-ops first), element moves of tensors and"
                " memrefs, their loads and stores, and dense constants"
            )
        if unsupported:
            raise PassFailure()
        # Casts first, while the operands still show which scalars are booleans; types after.
        bool_values = [v for inner in touching for v in _bool_values(inner)]
        for inner in touching:
            _rewrite_scalar_crossings(inner)
        for value in bool_values:
            value.set_type(_as_bytes(value.type))
        for inner in touching:
            if inner.name == "func.func":
                _retype_function(inner)
