"""`ember-fold-constants`: does the model's weight-only work once, at compile time.

Matches ops whose every tensor operand is an `arith.constant` of dense elements (the frontend
imports weights that way) and whose `outs` give only a shape:
  - `linalg.transpose` (torch-mlir transposes every Linear weight on every call),
  - `linalg.broadcast`, `tensor.expand_shape`, `tensor.collapse_shape`,
  - all-parallel `linalg.generic` whose body is elementwise arith/math (batch norm's
    `1 / sqrt(var + eps)`, ...), including `cf.assert`s that hold on the constants.
Each becomes one `arith.constant` holding the result computed with numpy.

Then batch norm folds into the convolution before it: a `linalg.conv_2d_nchw_fchw` of a
constant weight from a zero `linalg.fill`, followed by a single-use chain of generics that add,
subtract or multiply by a per-output-channel constant (`a * conv + b` in all), becomes the
convolution with weight `W * a` from an init of `b` broadcast (`linalg.broadcast`).
Constants, `tensor.empty`s and `linalg.fill`s left without uses are erased.

Left alone: `dense_resource` operands (the Python bindings cannot read their bytes), bodies
with ops not in `_ELEMENTWISE`, and results more than `max-growth` times as large as their
constant inputs (a bias broadcast to the batch costs memory and cache, not work).
"""

import math
import operator

import numpy as np
from mlir import ir
from mlir.dialects import arith, linalg

from ember.passes.registry import EmberPass, register_pass

_NUMPY_TYPES = {"f16": np.float16, "f32": np.float32, "f64": np.float64, "i1": np.bool_,
                "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64}


class _NotFoldable(Exception):
    """Raised inside the evaluator: this op stays as it is."""


def _numpy_type(mlir_type: ir.Type):
    dtype = _NUMPY_TYPES.get(str(mlir_type))
    if dtype is None:
        raise _NotFoldable(f"element type {mlir_type}")
    return dtype


def _cmpf(predicate: int, a, b):
    """arith.cmpf by its predicate number (ArithBase.td: false, oeq, ogt, oge, olt, ole, one,
    ord, ueq, ugt, uge, ult, ule, une, uno, true)."""
    compare = [None, operator.eq, operator.gt, operator.ge, operator.lt, operator.le, operator.ne]
    ordered = ~(np.isnan(a) | np.isnan(b))
    if predicate in (0, 15):
        return np.full(np.broadcast(a, b).shape, predicate == 15)
    if predicate == 7:
        return ordered
    if predicate == 14:
        return ~ordered
    if predicate < 7:
        return ordered & compare[predicate](a, b)
    return ~ordered | compare[predicate - 7](a, b)


_CMPI = {0: operator.eq, 1: operator.ne, 2: operator.lt, 3: operator.le, 4: operator.gt, 5: operator.ge}

# Elementwise body ops: (operand arrays, op) → result array. Results are cast to the op's type.
_ELEMENTWISE = {
    "arith.addf": lambda v, op: v[0] + v[1],
    "arith.subf": lambda v, op: v[0] - v[1],
    "arith.mulf": lambda v, op: v[0] * v[1],
    "arith.divf": lambda v, op: v[0] / v[1],
    "arith.negf": lambda v, op: -v[0],
    "arith.maximumf": lambda v, op: np.maximum(v[0], v[1]),
    "arith.minimumf": lambda v, op: np.minimum(v[0], v[1]),
    "arith.maxnumf": lambda v, op: np.fmax(v[0], v[1]),
    "arith.minnumf": lambda v, op: np.fmin(v[0], v[1]),
    "arith.addi": lambda v, op: v[0] + v[1],
    "arith.subi": lambda v, op: v[0] - v[1],
    "arith.muli": lambda v, op: v[0] * v[1],
    "arith.truncf": lambda v, op: v[0],
    "arith.extf": lambda v, op: v[0],
    "arith.sitofp": lambda v, op: v[0],
    "arith.select": lambda v, op: np.where(v[0], v[1], v[2]),
    "arith.cmpf": lambda v, op: _cmpf(ir.IntegerAttr(op.attributes["predicate"]).value, v[0], v[1]),
    "arith.cmpi": lambda v, op: _CMPI[ir.IntegerAttr(op.attributes["predicate"]).value](v[0], v[1]),
    "math.sqrt": lambda v, op: np.sqrt(v[0]),
    "math.rsqrt": lambda v, op: 1 / np.sqrt(v[0]),
    "math.exp": lambda v, op: np.exp(v[0]),
    "math.log": lambda v, op: np.log(v[0]),
    "math.tanh": lambda v, op: np.tanh(v[0]),
    "math.absf": lambda v, op: np.abs(v[0]),
}


def _constant_array(value: ir.Value) -> np.ndarray:
    """The dense elements an `arith.constant` tensor or scalar holds."""
    owner = value.owner
    if isinstance(value, ir.BlockArgument) or not isinstance(owner, ir.OpView) or owner.name != "arith.constant":
        raise _NotFoldable("not a constant")
    attr = owner.attributes["value"]
    if isinstance(attr, ir.DenseElementsAttr):
        if str(ir.ShapedType(attr.type).element_type) not in _NUMPY_TYPES:
            raise _NotFoldable(f"{ir.ShapedType(attr.type).element_type} elements")  # bf16: numpy has none
        return np.array(attr)
    if isinstance(attr, ir.FloatAttr):
        return np.array(attr.value, dtype=_numpy_type(attr.type))
    if isinstance(attr, ir.IntegerAttr):
        return np.array(attr.value, dtype=_numpy_type(attr.type))
    raise _NotFoldable(f"constant {attr}")  # dense_resource and friends


def _domain_view(array: np.ndarray, indexing: ir.AffineMap, domain: list[int]) -> np.ndarray:
    """`array` read through a projected-permutation indexing map, broadcast to the loop domain."""
    dims = []
    for axis, expr in reversed(list(enumerate(indexing.results))):
        if isinstance(expr, ir.AffineConstantExpr):
            array = np.take(array, expr.value, axis=axis)
        elif isinstance(expr, ir.AffineDimExpr):
            dims.insert(0, expr.position)
        else:
            raise _NotFoldable(f"indexing {indexing}")
    array = np.transpose(array, np.argsort(dims))
    shape = [domain[d] if d in dims else 1 for d in range(len(domain))]
    return np.broadcast_to(array.reshape(shape), domain)


def _fold_generic(op, inputs: list[np.ndarray]) -> list[np.ndarray]:
    maps = [ir.AffineMapAttr(a).value for a in op.attributes["indexing_maps"]]
    if any(str(t) != '#linalg.iterator_type<parallel>' for t in op.attributes["iterator_types"]):
        raise _NotFoldable("reduction")
    domain = [0] * maps[0].n_dims
    for value, indexing in zip([*op.operands], maps):
        for axis, expr in enumerate(indexing.results):
            if isinstance(expr, ir.AffineDimExpr):
                domain[expr.position] = ir.RankedTensorType(value.type).shape[axis]
    block = op.regions[0].blocks[0]
    n_inputs = len(inputs)
    env = {}
    for argument, array, indexing in zip(block.arguments, inputs, maps):
        env[argument] = _domain_view(array, indexing, domain)
    for argument in list(block.arguments)[n_inputs:]:
        if list(argument.uses):
            raise _NotFoldable("reads its init")

    def read(value):
        return env[value] if value in env else _constant_array(value)

    for body_op in block.operations:
        name = body_op.operation.name
        if name == "linalg.yield":
            results = [np.broadcast_to(read(v), domain) for v in body_op.operands]
            break
        if name == "cf.assert":
            if not np.all(read(body_op.operands[0])):
                raise _NotFoldable("an assertion fails on the constants")
            continue
        if name == "arith.constant":
            env[body_op.result] = _constant_array(body_op.result)
            continue
        if name not in _ELEMENTWISE:
            raise _NotFoldable(name)
        with np.errstate(all="ignore"):  # inf/nan follow IEEE as they would at run time
            value = _ELEMENTWISE[name]([read(v) for v in body_op.operands], body_op)
        env[body_op.result] = np.asarray(value).astype(_numpy_type(body_op.result.type))
    # Results are stored through the output maps, which must be permutations.
    folded = []
    for array, indexing in zip(results, maps[n_inputs:]):
        if not all(isinstance(e, ir.AffineDimExpr) for e in indexing.results):
            raise _NotFoldable("output indexing")
        folded.append(np.transpose(array, [e.position for e in indexing.results]))
    return folded


def _fold(op, inputs: list[np.ndarray]) -> list[np.ndarray]:
    name = op.operation.name
    if name == "linalg.transpose":
        return [np.transpose(inputs[0], list(op.attributes["permutation"]))]
    if name == "linalg.broadcast":
        shape = ir.RankedTensorType(op.results[0].type).shape
        return [np.broadcast_to(np.expand_dims(inputs[0], list(op.attributes["dimensions"])), shape)]
    if name in ("tensor.expand_shape", "tensor.collapse_shape"):
        return [inputs[0].reshape(ir.RankedTensorType(op.results[0].type).shape)]
    return _fold_generic(op, inputs)


_FOLDABLE = {"linalg.transpose", "linalg.broadcast", "linalg.generic", "tensor.expand_shape", "tensor.collapse_shape"}


def _constant_inputs(op) -> list[ir.Value]:
    """The operands that must be constant: a generic's `ins`, or the one source of the others."""
    if op.operation.name == "linalg.generic":
        return list(op.inputs)
    return [op.operands[0]]


_AFFINE_STEPS = {"arith.addf", "arith.subf", "arith.mulf"}


def _per_channel_step(op, value: ir.Value, channels: int):
    """(op name, constant per output channel) if `op` is a generic that computes
    `value <op> c[channel]` (batch norm after a convolution: `- mean`, `* inv_std`, `* weight`,
    `+ bias`); else None."""
    if op.operation.name != "linalg.generic" or len(op.inputs) != 2 or len(op.results) != 1:
        return None
    maps = [ir.AffineMapAttr(a).value for a in op.attributes["indexing_maps"]]
    identity = ir.AffineMap.get_identity(4)
    if op.inputs[0] != value or maps[0] != identity or maps[2] != identity:
        return None
    if [e.position for e in maps[1].results if isinstance(e, ir.AffineDimExpr)] != [1]:
        return None
    try:
        constant = _constant_array(op.inputs[1])
    except _NotFoldable:
        return None
    body = list(op.regions[0].blocks[0].operations)
    arguments = list(op.regions[0].blocks[0].arguments)
    if constant.size != channels or len(body) != 2 or body[0].operation.name not in _AFFINE_STEPS:
        return None
    step, yielded = body
    if list(step.operands) != arguments[:2] or yielded.operands[0] != step.result:
        return None  # also rejects `c - value`
    return step.operation.name, constant.reshape(channels)


def _fold_into_convolution(conv) -> None:
    """conv(x, W) from a zero init, then per-channel `+ - *` by constants (batch norm):
    becomes conv(x, W * a) from an init of b, where the chain computes `a * conv + b`."""
    fill = conv.outputs[0].owner
    if not (isinstance(fill, ir.OpView) and fill.operation.name == "linalg.fill"):
        return
    try:
        weight = _constant_array(conv.inputs[1])
        zero = _constant_array(fill.inputs[0])
    except _NotFoldable:
        return
    if zero != 0:
        return
    channels = weight.shape[0]
    scale, shift = np.ones(channels, weight.dtype), np.zeros(channels, weight.dtype)
    value, chain = conv.results[0], []
    while len(uses := list(value.uses)) == 1 and (step := _per_channel_step(uses[0].owner, value, channels)):
        name, constant = step
        if name == "arith.addf":
            shift = shift + constant
        elif name == "arith.subf":
            shift = shift - constant
        else:
            scale, shift = scale * constant, shift * constant
        chain.append(uses[0].owner)
        value = chain[-1].results[0]
    if not chain:
        return
    with ir.InsertionPoint(conv), conv.location:
        scaled = weight * scale.reshape(-1, *[1] * (weight.ndim - 1))
        conv.operation.operands[1] = arith.ConstantOp(conv.inputs[1].type, ir.DenseElementsAttr.get(scaled)).result
        bias = arith.ConstantOp(
            ir.RankedTensorType.get([channels], weight_type := ir.RankedTensorType(conv.inputs[1].type).element_type),
            ir.DenseElementsAttr.get(shift.astype(weight.dtype), type=weight_type),
        ).result
        init = linalg.broadcast(bias, outs=[fill.outputs[0]], dimensions=[0, 2, 3])
        conv.operation.operands[2] = init.operation.results[0]
    value.replace_all_uses_with(conv.results[0])
    for op in reversed(chain):
        op.operation.erase()


def _erase_if_dead(op) -> None:
    if op.operation.name in ("arith.constant", "tensor.empty", "linalg.fill") and not any(list(r.uses) for r in op.results):
        op.operation.erase()


@register_pass
class FoldConstants(EmberPass):
    """Evaluates transposes, reshapes, broadcasts and elementwise math of constants."""

    NAME = "ember-fold-constants"
    SUMMARY = "Folds weight-only transposes, reshapes, broadcasts and elementwise math into constants"

    max_growth: float = 1.0  # largest allowed result size over the constant inputs' size

    def run(self, op) -> None:
        for func in op.regions[0].blocks[0].operations:
            for block in func.regions[0].blocks if func.operation.name == "func.func" else []:
                for candidate in list(block.operations):
                    if candidate.operation.name in _FOLDABLE:
                        self._try_fold(candidate)
                for candidate in list(block.operations):
                    if candidate.operation.name == "linalg.conv_2d_nchw_fchw":
                        _fold_into_convolution(candidate)
                for candidate in reversed(list(block.operations)):
                    _erase_if_dead(candidate)

    def _try_fold(self, op) -> None:
        try:
            if not all(ir.RankedTensorType(r.type).has_static_shape for r in op.results):
                return  # a constant broadcast to a dynamic dim has no constant value
            inputs = [_constant_array(v) for v in _constant_inputs(op)]
            size = sum(math.prod(ir.RankedTensorType(r.type).shape) for r in op.results)
            if size > self.max_growth * max(1, sum(a.size for a in inputs)):
                return
            types = [ir.RankedTensorType(r.type) for r in op.results]
            if any(str(t.element_type) == "i1" for t in types):
                return  # dense i1 attributes pack bits; leave bool tensors to ember-bool-to-byte
            arrays = _fold(op, inputs)
            attrs = [
                # np.array, not np.ascontiguousarray: the latter makes 0-d arrays 1-d
                ir.DenseElementsAttr.get(np.array(a, dtype=_numpy_type(t.element_type), order="C"), type=t.element_type)
                for a, t in zip(arrays, types)
            ]
        except _NotFoldable:
            return
        with ir.InsertionPoint(op), op.location:
            for result, attr in zip(op.results, attrs):
                result.replace_all_uses_with(arith.ConstantOp(result.type, attr).result)
        op.operation.erase()
