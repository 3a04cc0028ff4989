"""Captures a PyTorch model as linalg-on-tensors IR.

torch.export gives an FX graph; torch-mlir's FX importer turns it into the torch dialect, and
torch-mlir's own pipelines lower that to linalg-on-tensors. The result leaves torch-mlir as
text, because torch-mlir bundles a different MLIR build than the upstream `mlir` that the
rest of ember uses.
"""

import functools
import math
import inspect
import os
import re
import threading
import uuid
import warnings
import dataclasses
from dataclasses import dataclass

import torch
import torch.utils._pytree as pytree
from torch_mlir import ir as tm_ir
from torch_mlir.dialects import torch as torch_dialect
from torch_mlir.extras.fx_decomp_util import get_decomposition_table
from torch_mlir.extras.fx_importer import FxImporter
from torch_mlir.passmanager import PassManager as TorchMlirPassManager

from ember import isolation
from ember.errors import CaptureError, EmberError, LoweringError, eager_raises_error
from ember.frontend.item_results import take_item_results
from ember.frontend.library_pytrees import register_result_types
from ember.frontend.literals import DenseLiteralHooks
from ember.frontend import builtin_ops, complex_as_real, dynamic_dims, literals, tm_tensor, unlowered_ops
from ember.frontend.control_flow import ControlFlowImporter
from ember.frontend.random_ops import decompositions as random_decompositions
from ember.frontend.source_locations import source_line, user_frames, user_frames_in_traceback, user_frames_of
from ember.passes.pass_manager import reproducer_dir
from ember.runtime.signature import Signature, TensorSpec, dtype_name

TORCH_BACKEND_PIPELINE = (
    "builtin.module(func.func(torch-match-quantized-custom-ops),"
    "torchdynamo-export-to-torch-backend-pipeline{extra-library=})"
)
LINALG_PIPELINE = (
    "builtin.module(torch-backend-to-linalg-on-tensors-backend-pipeline{allow-non-finites=true})"
)


@dataclass
class CapturedModel:
    """A model captured at one set of input shapes, ready to hand to upstream MLIR."""

    signature: Signature
    graph: torch.fx.GraphModule  # the exported graph, for reading
    torch_ir: str  # torch backend IR, weights elided: for reading
    linalg_text: str  # linalg-on-tensors, its large constants elided: the hand-off to upstream MLIR
    weights: tuple = ()  # ...and their values (literals.split_weights)

    @property
    def name(self) -> str:
        return self.signature.name

    def linalg_module(self, context):
        """The linalg IR parsed in `context` (upstream MLIR's), with every weight."""
        from mlir import ir

        with context:
            module = ir.Module.parse(self.linalg_text)
            if not literals.restore_weights(module, self.weights):
                raise AssertionError(f"{self.name}: the weights do not match the elided IR")  # a bug of ember's
        return module

    @property
    def linalg_ir(self) -> str:
        """The linalg IR as text with every weight (for tools; slow for large models)."""
        from ember.dialects import new_context

        return self.linalg_module(new_context()).operation.get_asm(large_elements_limit=None, enable_debug_info=True)


class _StateAsInputs(torch.nn.Module):
    """The model with the buffers that it updates when it runs (BatchNorm's running statistics
    in training mode) as trailing inputs. Export then lists the updates as input mutations,
    which the call path writes back into the model's own buffers, and the compiled code reads
    their values of each call instead of folding in those of compile time."""

    def __init__(self, model: torch.nn.Module, names: tuple[str, ...]):
        super().__init__()
        self.model = model
        self.names = names

    def forward(self, *args):
        # The buffers swapped by hand: torch.func.functional_call fails inside torch.export 2.13
        # ("expected compiled_fn to be GraphModule").
        n_user = len(args) - len(self.names)
        owners = [self.model.get_submodule(n.rpartition(".")[0]) for n in self.names]
        attrs = [n.rpartition(".")[2] for n in self.names]
        saved = [owner._buffers[attr] for owner, attr in zip(owners, attrs)]
        try:
            for owner, attr, value in zip(owners, attrs, args[n_user:]):
                owner._buffers[attr] = value
            return self.model(*args[:n_user])
        finally:
            for owner, attr, value in zip(owners, attrs, saved):
                owner._buffers[attr] = value


class _FunctionModule(torch.nn.Module):
    """Lets torch.export capture a plain function of tensors."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *args):
        return self.fn(*args)


def _argument_names(model, count: int) -> list[str]:
    target = model.forward if isinstance(model, torch.nn.Module) else model
    try:
        params = [
            p.name
            for p in inspect.signature(target).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"arg{i}" for i in range(count)]


def _takes_star_args(module: torch.nn.Module) -> bool:
    try:
        params = list(inspect.signature(module.forward).parameters.values())
    except (TypeError, ValueError):
        return False
    return bool(params) and params[0].kind == inspect.Parameter.VAR_POSITIONAL


def model_name(model) -> str:
    if isinstance(model, torch.nn.Module):
        return type(model).__name__
    return getattr(model, "__name__", type(model).__name__)


def _check_example_inputs(name: str, arg_names: list[str], example_inputs) -> None:
    for arg, value in zip(arg_names, example_inputs):
        if not isinstance(value, torch.Tensor):
            raise CaptureError(
                f"{name}: example input '{arg}' must be a torch.Tensor, got {type(value).__name__}"
            )
        if value.device.type != "cpu":
            raise CaptureError(
                f"{name}: example input '{arg}' is on {value.device}; ember's CPU target "
                "expects tensors on cpu"
            )


def _unaliased(example_inputs: tuple) -> tuple:
    """The example inputs, each that shares memory with an earlier one (`(x, x)`) cloned:
    torch.export traces aliased inputs as one value, and the module compiled from that graph
    read one argument for both whatever the call passed."""
    seen, out = set(), []
    for value in example_inputs:
        storage = value.untyped_storage().data_ptr() if value.numel() else None
        if storage is not None and storage in seen:
            value = value.clone()
        seen.add(storage)
        out.append(value)
    return tuple(out)


def _isfinite(x: torch.Tensor) -> torch.Tensor:
    if not x.is_floating_point():
        return torch.ones_like(x, dtype=torch.bool)
    return torch.logical_not(torch.logical_or(torch.isinf(x), torch.isnan(x)))


def _index_with_masks(x: torch.Tensor, indices):
    """x[mask] as x[mask.nonzero()]: torch-mlir's own lowering of a boolean index runs out of
    memory (LLVM ERROR: out of memory, killing the process), while nonzero lowers."""
    if not any(i is not None and i.dtype == torch.bool for i in indices):
        return NotImplemented  # integer indices: keep aten.index.Tensor
    expanded = []
    for index in indices:
        is_mask = index is not None and index.dtype == torch.bool
        expanded.extend(torch.nonzero(index, as_tuple=True) if is_mask else [index])
    return torch.ops.aten.index.Tensor(x, expanded)


def _put_by_mask(x: torch.Tensor, indices, values: torch.Tensor, accumulate: bool = False):
    """x[mask] = scalar as where(mask, scalar, x): static shapes instead of torch's nonzero-based
    index_put, whose torch-mlir lowering writes element 0 when the mask is all False."""
    static_values = all(isinstance(size, int) for size in values.shape)  # no guard on a data-dependent size
    if accumulate or len(indices) != 1 or not static_values or values.numel() != 1:
        return NotImplemented
    mask = indices[0]
    if mask is None or mask.dtype != torch.bool or tuple(mask.shape) != tuple(x.shape[: mask.dim()]):
        return NotImplemented
    mask = mask.reshape(*mask.shape, *[1] * (x.dim() - mask.dim()))
    return torch.where(mask, values.reshape(()).to(x.dtype), x)


def _index_select_from_one(x: torch.Tensor, dim: int, index: torch.Tensor):
    """index_select along a dimension of size 1 as an embedding lookup: torch-mlir 20261001 folds
    the former to a broadcast (every valid index is 0), which leaves no index to check, so that
    index 1 returned row 0 where eager raises IndexError. Its embedding keeps the lookup."""
    if x.dim() == 0 or x.shape[dim] != 1:
        return NotImplemented
    moved = x.movedim(dim, 0)
    rows = torch.nn.functional.embedding(index.reshape(-1), moved.reshape(1, -1))
    return rows.reshape(index.numel(), *moved.shape[1:]).movedim(0, dim)


def _outermost(decomposition):
    """`decomposition` for the outermost call only: one that calls its own op again (with
    operands it has fixed up) gets the op itself there, not itself again."""
    inside = threading.local()

    def decomposed(*args, **kwargs):
        if getattr(inside, "active", False):
            return NotImplemented
        inside.active = True
        try:
            return decomposition(*args, **kwargs)
        finally:
            inside.active = False

    return decomposed


@_outermost
def _put(x: torch.Tensor, indices, values: torch.Tensor, accumulate: bool = False):
    """index_put (`x[i] = v`): a boolean mask as `_put_by_mask`; integer indices with negative
    entries wrapped first, as eager wraps them: torch-mlir 20261001 stores through them as they
    are (a store out of bounds, which ember-check-indices now refuses at run time)."""
    by_mask = _put_by_mask(x, indices, values, accumulate)
    if by_mask is not NotImplemented:
        return by_mask
    if any(i is not None and (i.dtype == torch.bool or i.is_floating_point()) for i in indices):
        return NotImplemented
    wrapped = [None if i is None else torch.where(i < 0, i + x.shape[d], i) for d, i in enumerate(indices)]
    return torch.ops.aten.index_put.default(x, wrapped, values, accumulate)


def _index_add(x: torch.Tensor, dim: int, index: torch.Tensor, source: torch.Tensor, alpha=1):
    """index_add as scatter_add: torch's own decomposition goes through index_put, whose negative
    indices wrap (`_put`), where eager's index_add raises on them."""
    dim = dim % max(x.dim(), 1)
    shape = [-1 if d == dim else 1 for d in range(source.dim())]
    spread = index.reshape(shape).expand(source.shape)
    return x.scatter_add(dim, spread, source * alpha if alpha != 1 else source)


def _embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                   per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """embedding_bag as lookups summed into their bags (scatter_add, whose indices are checked):
    torch-mlir 20261001 lowers none of its forms. A row's bag is the number of bag starts at or
    before it, less one; a maximum compares each row with each bag (n x bags x dim). Only the
    first result is eager's; the others (offset2bag, bag_size, max_indices) are what backward
    reads, and inference does not. include_last_offset is left to torch-mlir (refused there):
    eager's means then divide by a count that is not the bag's."""
    if indices.dim() != 1 or mode not in (0, 1, 2) or include_last_offset:
        return NotImplemented
    bags, dim = offsets.shape[0], weight.shape[1]
    bag = (torch.arange(indices.shape[0]).unsqueeze(1) >= offsets.unsqueeze(0)).sum(1) - 1
    rows = torch.nn.functional.embedding(indices, weight)
    keep = torch.ones_like(indices, dtype=weight.dtype)
    if padding_idx is not None and padding_idx >= 0:
        keep = (indices != padding_idx).to(weight.dtype)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.unsqueeze(1)
    counts = torch.zeros(bags, dtype=weight.dtype).scatter_add(0, bag, keep)
    if mode == 2:
        member = (bag.unsqueeze(1) == torch.arange(bags).unsqueeze(0)) & (keep.unsqueeze(1) > 0)
        out = torch.where(member.unsqueeze(2), rows.unsqueeze(1), float("-inf")).amax(0)
        out = torch.where(counts.unsqueeze(1) > 0, out, 0.0)
    else:
        spread = bag.unsqueeze(1).expand(-1, dim)
        out = torch.zeros(bags, dim, dtype=weight.dtype).scatter_add(0, spread, rows * keep.unsqueeze(1))
        if mode == 1:
            out = out / counts.clamp(min=1).unsqueeze(1)
    return out, bag, counts.to(torch.int64), torch.zeros((bags, dim) if mode == 2 else (bags,), dtype=torch.int64)


def _float_scalar_compare(op):
    """`x < n` of a float tensor and a Python int as `x < float(n)`: torch-mlir 20261001 folds
    such a comparison of a constant tensor wrongly (`torch.ones(5) < 2` and `== 1` were all
    False: the fold compared the splat's integer bits)."""

    def compare(x, other):
        if not (isinstance(other, int) and not isinstance(other, bool) and x.is_floating_point()):
            return NotImplemented
        return op(x, float(other))

    return compare


def _nan_first(x: torch.Tensor, dim, keepdim: bool):
    """(has a NaN, the index of the first NaN) along `dim`: eager's max/min/argmax/argmin treat
    NaN as the extreme value, where torch-mlir 20261001's compares skip it."""
    nan = torch.isnan(x)
    return nan.any(dim, keepdim), torch.argmax(nan.to(torch.uint8), dim, keepdim)


def _arg_extreme(op):
    @_outermost
    def extreme(x, dim=None, keepdim=False):
        if not x.is_floating_point():
            return NotImplemented
        if dim is None:
            flat = x.reshape(-1)
            has, first = _nan_first(flat, 0, False)
            result = torch.where(has, first, op(flat, 0))
            return result.reshape([1] * x.dim()) if keepdim else result
        has, first = _nan_first(x, dim, keepdim)
        return torch.where(has, first, op(x, dim, keepdim))
    return extreme


def _extreme_along(op):
    @_outermost
    def extreme(x, dim, keepdim=False):
        if _narrow(x):
            values, indices = op(x.to(torch.int32), dim, keepdim)
            return values.to(x.dtype), indices
        if not x.is_floating_point():
            return NotImplemented
        values, indices = op(x, dim, keepdim)
        has, first = _nan_first(x, dim, keepdim)
        return torch.where(has, float("nan"), values), torch.where(has, first, indices)
    return extreme


def _isclose(a: torch.Tensor, b: torch.Tensor, rtol=1e-05, atol=1e-08, equal_nan=False):
    """isclose as eager defines it: torch-mlir 20261001 called NaNs and opposite infinities close."""
    if not (a.is_floating_point() or b.is_floating_point()):
        return NotImplemented
    finite = torch.isfinite(a) & torch.isfinite(b)
    close = (a == b) | (finite & ((a - b).abs() <= atol + rtol * b.abs()))
    if equal_nan:
        close = close | (torch.isnan(a) & torch.isnan(b))
    return close


def _var_mean(x: torch.Tensor, dim=None, *, correction=None, keepdim=False):
    """var_mean of narrower floats computed in float64, both results: torch-mlir 20261001 computes
    the variance in float64 but the mean by a float32 sum of its own, run in sequence, which
    layer_norm, group_norm, instance_norm and batch_norm (training) subtract from x: rows of 256
    values 1000 + 0.3 * randn came out 9.3e-4 from the float64 result, eager's 1.8e-4. The float64
    sum that the variance already takes gives the mean too (1.0e-4)."""
    if x.dtype not in (torch.float32, torch.float16, torch.bfloat16):
        return NotImplemented
    var, mean = torch.ops.aten.var_mean.correction(x.to(torch.float64), dim, correction=correction, keepdim=keepdim)
    return var.to(x.dtype), mean.to(x.dtype)


def _batch_norm_inference(x, weight, bias, running_mean, running_var, momentum, eps):
    """Inference batch norm as eager's CPU kernel computes it, `x * scale + shift` with
    scale = w / sqrt(var + eps) and shift = b - mean * scale over the channels, in float32 for
    narrower floats. torch's own decomposition (`native_batch_norm_helper`) traces more ops per
    norm, and tracing is most of what export costs: with this one ResNet-50's run_decompositions
    took 3.4-3.8 s instead of 4.0-4.6 s, and its graph has 979 nodes instead of 1403."""
    if not x.is_floating_point() or x.dim() < 2:
        return NotImplemented
    compute = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
    scale = torch.rsqrt(running_var.to(compute) + eps)
    if weight is not None:
        scale = scale * weight.to(compute)
    shift = -running_mean.to(compute) * scale
    if bias is not None:
        shift = shift + bias.to(compute)
    per_channel = [-1] + [1] * (x.dim() - 2)
    y = (x.to(compute) * scale.view(per_channel) + shift.view(per_channel)).to(x.dtype)
    empty = x.new_zeros((0,), dtype=compute)
    return y, empty, empty


def _logaddexp(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """log(exp(a) + exp(b)) by eager's `_log_add_exp_helper`: the larger plus log1p of the
    smaller's exp relative to it, NaN propagated, equal infinities returned as they are."""
    hi, lo = torch.where(a > b, a, b), torch.where(a > b, b, a)
    return torch.where((lo == hi) & torch.isinf(lo), a, hi + torch.log1p(torch.exp(lo - hi)))


def _logaddexp2(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """log2(2^a + 2^b), as `_logaddexp`."""
    hi, lo = torch.where(a > b, a, b), torch.where(a > b, b, a)
    return torch.where((lo == hi) & torch.isinf(lo), a, hi + torch.log1p(torch.exp2(lo - hi)) / math.log(2))


def _logcumsumexp(x: torch.Tensor, dim: int):
    """logcumsumexp as a scan of eager's log-add-exp (`_logaddexp`), Hillis and Steele's: log2(n)
    steps, each adding in the element `step` places before (-inf before the first), in f32 for
    f16/bf16 as eager accumulates. torch-mlir 20261001 takes log(cumsum(exp(x))), which overflows
    past exp(88) (logcumsumexp([-inf, -inf, 0, -inf, 100]) ended in inf, eager 100) and underflows
    below exp(-103); a maximum subtracted once for the whole dim is not enough, as a prefix far
    below it underflows all the same."""
    if not x.is_floating_point() or x.numel() == 0:
        return NotImplemented
    scanned = x.to(torch.float32) if x.dtype in (torch.float16, torch.bfloat16) else x.clone()
    dim, step = dim % max(x.dim(), 1), 1
    while x.dim() and step < x.shape[dim]:  # after it, element i holds x[i - 2 * step + 1 .. i]
        before = torch.nn.functional.pad(scanned.narrow(dim, 0, x.shape[dim] - step),
                                         [0, 0] * (x.dim() - 1 - dim) + [step, 0], value=float("-inf"))
        scanned, step = _logaddexp(before, scanned), 2 * step
    return scanned.to(x.dtype)


def _one_hot(index: torch.Tensor, num_classes: int = -1):
    """one_hot as rows of an identity matrix (an embedding lookup, whose indices are checked):
    torch-mlir 20261001 returned a zero row for a class out of range, where eager raises."""
    if num_classes < 0:
        return NotImplemented  # the class count is the data's maximum: left to torch-mlir
    return torch.nn.functional.embedding(index, torch.eye(num_classes, dtype=torch.int64))


@_outermost
def _to_copy(x: torch.Tensor, **kwargs):
    """Float to uint8 through int32: torch-mlir 20261001 converts with fptosi to i8, which
    saturates at 127 (251.1 became 127, eager gives 251)."""
    if kwargs.get("dtype") != torch.uint8 or not x.is_floating_point():
        return NotImplemented
    wide = torch.ops.aten._to_copy.default(x, **{**kwargs, "dtype": torch.int32})
    return torch.ops.aten._to_copy.default(wide, **kwargs)


def _in_f32(op):
    """`op` of an f16/bf16 tensor computed in f32 and rounded once, as eager computes mean and
    cumsum: a mean of 1024 f16 values near 105 summed past f16's 65504 and came out inf, and a
    cumsum accumulated in f16 drifted 5x further from the exact sums than eager's."""

    def widened(x, *args, **kwargs):
        if x.dtype not in (torch.float16, torch.bfloat16) or kwargs.get("dtype") is not None:
            return NotImplemented
        return op(x.to(torch.float32), *args, **kwargs).to(x.dtype)

    return widened


def _narrow(x) -> bool:
    return isinstance(x, torch.Tensor) and not x.is_floating_point() and x.dtype != torch.bool and x.element_size() < 4


def _via_int32(op):
    """`op` of integers narrower than 32 bits computed in int32 and wrapped back: torch-mlir
    20261001 dies of SIGSEGV on int8 mm, bmm, max() and amin, and has no lowering of int8/uint8
    `//` and `%` between tensors. Eager's results are those of the narrow type (sums and products
    wrap modulo 2^bits either way), which the wrap restores."""

    @_outermost
    def widened(x, *args, **kwargs):
        if not _narrow(x) or any(isinstance(a, torch.Tensor) and a.dtype != x.dtype for a in args):
            return NotImplemented
        wide = [a.to(torch.int32) if isinstance(a, torch.Tensor) else a for a in args]
        result = op(x.to(torch.int32), *wide, **kwargs)
        if isinstance(result, tuple):  # (values, indices)
            return (result[0].to(x.dtype), *result[1:])
        return result.to(x.dtype)

    return widened


@_outermost
def _roll(x: torch.Tensor, shifts, dims=()):
    """roll with shifts taken modulo the size, and without dims as a roll of the flat tensor:
    torch-mlir 20261001 fails on both (a shift past the size even inside One-Shot Bufferize)."""
    shifts = [shifts] if isinstance(shifts, int) else list(shifts)
    if not dims:
        flat = x.reshape(-1)
        if flat.numel() == 0:
            return x.clone()
        return torch.ops.aten.roll.default(flat, [shifts[0] % flat.numel()], [0]).reshape(x.shape)
    dims = [dims] if isinstance(dims, int) else list(dims)
    if any(x.shape[d] == 0 for d in dims):
        return x.clone()
    return torch.ops.aten.roll.default(x, [s % x.shape[d] for s, d in zip(shifts, dims)], dims)


def _either(*decompositions):
    """The first of `decompositions` that applies (returns something but NotImplemented)."""
    decompositions = [d for d in decompositions if d is not None]

    def first(*args, **kwargs):
        for decomposition in decompositions:
            result = decomposition(*args, **kwargs)
            if result is not NotImplemented:
                return result
        return NotImplemented

    return first


def _float_operands(a, b):
    """(a, b) as tensors of one float dtype, b filled from a number; None for anything else."""
    if not (isinstance(a, torch.Tensor) and a.is_floating_point()):
        return None
    if not isinstance(b, torch.Tensor):
        if isinstance(b, bool) or not isinstance(b, (int, float)):
            return None
        b = torch.full_like(a, b)
    return (a, b) if b.dtype == a.dtype else None


@_outermost
def _fmod(a, b):
    """C's fmod for floats: `a` itself for an infinite divisor, and narrower floats computed in
    float64. torch-mlir 20261001 computes a - b * trunc(a / b) in the operands' dtype: NaN for an
    infinite b (fmod(7.5, inf) was nan, eager's 7.5), and in float32 wrong once a / b passes 2^24
    (fmod(1e10, 3.3) was 0.0, eager's 0.296); in float64 that product is exact to ~2^-29 of a."""
    operands = _float_operands(a, b)
    if operands is None:
        return NotImplemented
    a, b = operands
    wide = torch.ops.aten.fmod.Tensor(a.to(torch.float64), b.to(torch.float64)).to(a.dtype)
    return torch.where(torch.isinf(b) & torch.isfinite(a), a, wide)


def _floor_divide_float(a, b):
    """Float floor division by eager's own steps (c10's div_floor_floating): torch-mlir 20261001
    takes floor(a / b), so that -inf // 2.0 was -inf (eager nan) and 5 // -inf was -0 (eager -1)."""
    operands = _float_operands(a, b)
    if operands is None:
        return NotImplemented
    a, b = operands
    mod = torch.fmod(a, b)
    div = (a - mod) / b
    div = torch.where((mod != 0) & ((b < 0) != (mod < 0)), div - 1, div)
    floor = torch.floor(div)
    floor = torch.where(div - floor > 0.5, floor + 1, floor)
    quotient = torch.where(div != 0, floor, (a / b) * 0.0)  # a zero with the quotient's sign
    return torch.where(b == 0, a / b, quotient)


def _remainder_float(a, b):
    """Float remainder by eager's steps: fmod, moved by b where the signs differ."""
    operands = _float_operands(a, b)
    if operands is None:
        return NotImplemented
    a, b = operands
    mod = torch.fmod(a, b)
    return torch.where((mod != 0) & ((b < 0) != (mod < 0)), mod + b, mod)


def _div_mode_float(a, b, rounding_mode=None):
    return _floor_divide_float(a, b) if rounding_mode == "floor" else NotImplemented


def _threshold_backward(grad: torch.Tensor, x: torch.Tensor, threshold):
    """In the promoted dtype of both operands, as eager's: torch-mlir 20261001 gives grad's."""
    dtype = torch.promote_types(grad.dtype, x.dtype)
    return torch.where(x <= threshold, torch.zeros((), dtype=dtype), grad.to(dtype))


def _onednn_gelu_dtypes() -> set:
    """The dtypes whose erf-form gelu eager runs through oneDNN's kernel (ATen's `use_mkldnn` in
    Activation.cpp, for contiguous tensors of more than one element). Asked of eager itself, by
    that kernel's mark (NaN for +inf, where ATen's own gives inf): whether eager takes it depends
    on the build and the CPU (an AVX-512 Zen 4 does, an AVX2 Zen 3 does not). Read when the table
    is built, as torch.export turns oneDNN off while it traces."""
    probe = torch.tensor([math.inf, 1.0])
    return {dtype for dtype in (torch.float32, torch.float16, torch.bfloat16)
            if bool(torch.nn.functional.gelu(probe.to(dtype))[0].isnan())}


def _gelu(onednn_dtypes: set):
    """GELU as eager computes it. The tanh form by torch's own decomposition: torch-mlir 20261001
    lowers it with 0.797724 for sqrt(2/pi) = 0.7978846 (relative error 8e-4). The erf form in f32
    for f16/bf16, rounded once as both of eager's kernels do (-2.5 gave -0.01465 in bf16, eager
    -0.01550), and where eager runs oneDNN's kernel, with that kernel's special values: NaN for
    +-inf (ember gave inf for inf) and inf from 2^127 on, where x * (1 + erf) overflows (3e38 gave
    3e38). ATen's own kernel (f64, one element, strided) computes x * 0.5 * (1 + erf(x / sqrt 2))."""

    def gelu(x: torch.Tensor, approximate: str = "none"):
        if approximate == "tanh":
            from torch._decomp import decomposition_table

            return decomposition_table[torch.ops.aten.gelu.default](x, approximate=approximate)
        if approximate != "none" or not x.is_floating_point():
            return NotImplemented
        wide = x.to(torch.float32) if x.dtype in (torch.float16, torch.bfloat16) else x
        erf = torch.erf(wide * 0.7071067811865476)
        if x.dtype in onednn_dtypes and x.is_contiguous() and x.numel() > 1:
            y = torch.where(torch.isinf(wide), float("nan"), wide * (1 + erf) * 0.5)
        else:
            y = wide * 0.5 * (1 + erf)
        return y.to(x.dtype)

    return gelu


def _clamp(x: torch.Tensor, min=None, max=None):
    """clamp as where(x < lo, lo, x): NaN stays NaN as in eager. torch-mlir 20261001 lowers clamp
    with unordered compares (`cmpf ult`), which turn NaN into the bound."""
    if min is not None:
        x = torch.where(x < min, min, x)
    if max is not None:
        x = torch.where(x > max, max, x)
    return x


def _maximum(a: torch.Tensor, b: torch.Tensor):
    """maximum with NaN propagated, as in eager: torch-mlir 20261001 lowers it as
    select(a > b, a, b), which drops a NaN in `a`."""
    if not (a.is_floating_point() or b.is_floating_point()):
        return NotImplemented
    return torch.where((a > b) | torch.isnan(a), a, b)


def _minimum(a: torch.Tensor, b: torch.Tensor):
    if not (a.is_floating_point() or b.is_floating_point()):
        return NotImplemented
    return torch.where((a < b) | torch.isnan(a), a, b)


def _narrow_integer(replacement, previous):
    """`op(x, n)` for an integer x narrower than 32 bits and a Python int n, as `replacement(x,
    n)`: torch-mlir 20261001's backend pipeline dies of SIGSEGV on int8/uint8 `x * 3`, `x - 3`,
    `x // 3` and `x % 3` (the scalar's type is i64). Eager computes these in x's dtype with n
    wrapped into it, as the replacements do. Anything else goes to the table's `previous`
    decomposition of the op, if any."""

    def decomposed(x, other, *rest, **kwargs):
        if not (_narrow(x) and isinstance(other, int) and not isinstance(other, bool)):
            return previous(x, other, *rest, **kwargs) if previous else NotImplemented
        return replacement(x, other, *rest, **kwargs)

    return decomposed


def _integer_abs(x: torch.Tensor):
    """Integer abs as where(x < 0, -x, x): torch-mlir 20261001 gives math.absi, which upstream's
    convert-math-to-llvm lowers on scalars and 1-D vectors only, so that a vectorized tile failed
    in convert-math-to-libm. -INT_MIN wraps to INT_MIN, as eager's abs gives; narrower integers
    negate in int32 (torch-mlir's int8 neg saturated: abs(-128) gave 127) and wrap back."""
    if x.is_floating_point() or x.dtype == torch.bool or x.is_complex():
        return NotImplemented
    wide = x.to(torch.int32) if _narrow(x) else x
    return torch.where(wide < 0, -wide, wide).to(x.dtype)


# tanh's Taylor series, x^3 .. x^17 (1/3, 2/15, 17/315, ...): below 0.5 the first left out is
# 6e-9 of tanh.
_TANH_SERIES = (-1 / 3, 2 / 15, -17 / 315, 62 / 2835, -1382 / 155925, 21844 / 6081075,
                -929569 / 638512875, 6404582 / 10854718875)


def _tanh(x: torch.Tensor):
    """tanh from exp and a polynomial, both of which vectorize: upstream's math.tanh became one
    libm call per element (200k elements: 5.7 ms, eager 0.07), and so would a form through
    expm1, whose expansion takes a log. |x| >= 0.5: 1 - 2 / (exp(2|x|) + 1), no cancellation as
    tanh >= 0.46 there (exp's overflow gives 1); below, x + x^3 P(x^2) (_TANH_SERIES). x's sign,
    f16/bf16 in f32 (within 1 ulp of f32); zeros keep their sign, NaN propagates. float64 keeps
    upstream's (libm's) tanh: the series is not that accurate."""
    if x.dtype not in (torch.float32, torch.float16, torch.bfloat16):
        return NotImplemented
    wide = x.to(torch.float32) if x.dtype in (torch.float16, torch.bfloat16) else x
    a = wide.abs()
    large = 1 - 2 / (torch.exp(2 * a) + 1)
    a2 = a * a
    series = torch.full_like(a, _TANH_SERIES[-1])
    for c in reversed(_TANH_SERIES[:-1]):
        series = series * a2 + c
    small = a + a * a2 * series
    r = torch.where(a >= 0.5, large, small)
    return torch.where(wide == 0, wide, torch.where(wide < 0, -r, r)).to(x.dtype)


def _integer_power(previous):
    """Integer `x ** n` (n >= 0) by squaring: torch-mlir dies of SIGSEGV on integer pow. The
    products wrap in x's dtype as eager's do."""

    def power(x, n):
        if not (isinstance(x, torch.Tensor) and not x.is_floating_point() and x.dtype != torch.bool
                and isinstance(n, int) and not isinstance(n, bool) and n >= 0):
            return previous(x, n) if previous else NotImplemented
        result, base = torch.ones_like(x), x
        while n:
            if n & 1:
                result = result * base
            base = base * base
            n >>= 1
        return result

    return power


_NARROW_INTEGER_OPS = {
    torch.ops.aten.mul.Tensor: lambda x, n: torch.ops.aten.mul.Tensor(x, torch.full_like(x, n)),
    torch.ops.aten.sub.Tensor: lambda x, n, alpha=1: torch.ops.aten.sub.Tensor(x, torch.full_like(x, n), alpha=alpha),
    torch.ops.aten.remainder.Scalar: lambda x, n: torch.ops.aten.remainder.Tensor(x, torch.full_like(x, n)),
    # in int32, wrapped back: int8 floor division by a tensor dies as well
    torch.ops.aten.floor_divide.default: lambda x, n: torch.ops.aten.floor_divide.default(x.to(torch.int32), n).to(x.dtype),
}


def _decompositions() -> dict:
    """torch-mlir's table, plus ops that it cannot lower but whose parts it can. A copy: torch-mlir
    hands out one shared dict, and entries that wrap the previous one (`table.get(op)`) nested one
    level deeper on every compile until export died of RecursionError."""
    table = dict(get_decomposition_table())
    table[torch.ops.aten.isfinite.default] = _isfinite
    table[torch.ops.aten.index.Tensor] = _index_with_masks
    table[torch.ops.aten.index_put.default] = _put
    table[torch.ops.aten.index_add.default] = _index_add
    table[torch.ops.aten.threshold_backward.default] = _threshold_backward
    for op in (torch.ops.aten.mean.dim, torch.ops.aten.mean.default, torch.ops.aten.cumsum.default):
        table[op] = _in_f32(op)
    for op in (torch.ops.aten.max.default, torch.ops.aten.min.default, torch.ops.aten.amax.default,
               torch.ops.aten.amin.default, torch.ops.aten.div.Tensor_mode, torch.ops.aten.remainder.Tensor,
               torch.ops.aten.fmod.Tensor):
        table[op] = _via_int32(op)
    table[torch.ops.aten.roll.default] = _roll
    # (fmod.Scalar: unlowered_ops makes it an fmod.Tensor, which comes here)
    for op, float_form in ((torch.ops.aten.fmod.Tensor, _fmod),
                           (torch.ops.aten.remainder.Tensor, _remainder_float),
                           (torch.ops.aten.remainder.Scalar, _remainder_float),
                           (torch.ops.aten.div.Tensor_mode, _div_mode_float),
                           (torch.ops.aten.floor_divide.default, _floor_divide_float)):
        table[op] = _either(float_form, table.get(op))
    table[torch.ops.aten.argmax.default] = _arg_extreme(torch.ops.aten.argmax.default)
    table[torch.ops.aten.argmin.default] = _arg_extreme(torch.ops.aten.argmin.default)
    table[torch.ops.aten.max.dim] = _extreme_along(torch.ops.aten.max.dim)
    table[torch.ops.aten.min.dim] = _extreme_along(torch.ops.aten.min.dim)
    table[torch.ops.aten.isclose.default] = _isclose
    table[torch.ops.aten.var_mean.correction] = _var_mean
    table[torch.ops.aten._native_batch_norm_legit_no_training.default] = _batch_norm_inference
    table[torch.ops.aten.logcumsumexp.default] = _logcumsumexp
    # torch's decomposition returns the larger operand when it is infinite: inf for (NaN, inf),
    # where eager gives NaN
    table[torch.ops.aten.logaddexp.default] = _logaddexp
    table[torch.ops.aten.logaddexp2.default] = _logaddexp2
    table[torch.ops.aten.one_hot.default] = _one_hot
    table[torch.ops.aten._to_copy.default] = _to_copy
    for compare in (torch.ops.aten.lt.Scalar, torch.ops.aten.le.Scalar, torch.ops.aten.gt.Scalar,
                    torch.ops.aten.ge.Scalar, torch.ops.aten.eq.Scalar, torch.ops.aten.ne.Scalar):
        table[compare] = _float_scalar_compare(compare)
    for bag_op in (torch.ops.aten._embedding_bag_forward_only.default, torch.ops.aten._embedding_bag.default,
                   torch.ops.aten.embedding_bag.padding_idx):
        table[bag_op] = _embedding_bag
    for matmul in (torch.ops.aten.mm.default, torch.ops.aten.bmm.default):
        table[matmul] = _via_int32(matmul)
    table[torch.ops.aten.gelu.default] = _gelu(_onednn_gelu_dtypes())
    table[torch.ops.aten.index_select.default] = _index_select_from_one
    for op, replacement in _NARROW_INTEGER_OPS.items():
        table[op] = _narrow_integer(replacement, table.get(op))
    table[torch.ops.aten.pow.Tensor_Scalar] = _integer_power(table.get(torch.ops.aten.pow.Tensor_Scalar))
    table[torch.ops.aten.abs.default] = _integer_abs
    table[torch.ops.aten.tanh.default] = _tanh
    table[torch.ops.aten.maximum.default] = _maximum
    table[torch.ops.aten.minimum.default] = _minimum
    for clamp in (torch.ops.aten.clamp.default, torch.ops.aten.clamp.Tensor):
        table[clamp] = _clamp
    table[torch.ops.aten.clamp_min.default] = lambda x, lo: _clamp(x, lo, None)
    table[torch.ops.aten.clamp_max.default] = lambda x, hi: _clamp(x, None, hi)
    table[torch.ops.aten.hardtanh.default] = lambda x, lo=-1.0, hi=1.0: _clamp(x, lo, hi)
    table.update(unlowered_ops.decompositions())
    table.update(random_decompositions())  # every random op from one float64 draw, on eager's grid
    return table


# torch.export's verifier finds a NaN constant result (`return y, float("nan")`) missing from the
# program's results, as NaN != NaN: the result is text while the model is traced and NaN again in
# the program (a hook, not a wrapper module, so that the weights keep their names).
_NAN_RESULT = "\0ember: a NaN constant result"


def _nan_results_as_text(module, args, results):
    return pytree.tree_map(lambda v: _NAN_RESULT if isinstance(v, float) and math.isnan(v) else v, results)


def _nan_results_back(program) -> None:
    output_node = next(n for n in program.graph.nodes if n.op == "output")
    if any(isinstance(v, str) and v == _NAN_RESULT for v in pytree.tree_leaves(output_node.args)):
        output_node.args = pytree.tree_map(lambda v: math.nan if v == _NAN_RESULT else v, output_node.args)
        for spec in program.graph_signature.output_specs:
            if isinstance(spec.arg, torch.export.graph_signature.ConstantArgument) and spec.arg.value == _NAN_RESULT:
                spec.arg.value = math.nan
        program.graph_module.recompile()


def _export(module: torch.nn.Module, name: str, example_inputs: tuple, dynamic_shapes=None):
    register_result_types(module.model if isinstance(module, _StateAsInputs) else module)
    hook = module.register_forward_hook(_nan_results_as_text)
    try:
        program = torch.export.export(module, example_inputs, dynamic_shapes=dynamic_shapes, strict=False)
        program = program.run_decompositions(_decompositions())
        _nan_results_back(program)
        return program
    except CaptureError as e:  # ember's own module (ComplexAsReal) named what it cannot do
        if str(e).startswith(name):
            raise
        raise CaptureError(f"{name}: {e}") from e
    except EmberError:
        raise
    except Exception as e:  # torch.export raises many types; all mean "cannot capture"
        first_line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        where = "".join(
            f"\n  at {frame}: {source_line(frame)}" for frame in user_frames_in_traceback(str(e))[-1:]
        )
        hint = ""
        if "Constraints violated" in str(e):  # dynamic= against what the model does with the dims
            reasons = [line.strip() for line in str(e).splitlines() if line.startswith("  - ")]
            hint = "".join(f"\n  {r}" for r in reasons) + (
                "\n  Dims that the model relates share one name in dynamic= ({'x': {0: 'n'}, 'y': {0: 'n'}});"
                " a dim the model fixes to one size cannot be dynamic")
        if "data-dependent" in str(e):
            hint = ("\n  Python control flow on a tensor's value leaves no graph to compile in parts:"
                    " torch.compile(model, backend='ember') compiles the graphs around it, and"
                    " torch.cond expresses a branch in the graph")
        eager = _eager_exception(module, example_inputs)
        if eager is not None:
            where = "".join(f"\n  at {frame}: {source_line(frame)}" for frame in user_frames_of(eager)[-1:])
            raise eager_raises_error(type(eager))(
                f"{name} raises {type(eager).__name__} at these example inputs in eager PyTorch too:"
                f" {str(eager).strip().splitlines()[0] if str(eager).strip() else ''}{where}") from eager
        raise CaptureError(
            f"torch.export could not capture {name}: {type(e).__name__}: {first_line}{where}{hint}"
        ) from e
    finally:
        hook.remove()


def _eager_exception(module: torch.nn.Module, example_inputs: tuple) -> Exception | None:
    """What eager raises when it runs `module` on copies of the example inputs, if anything;
    the module's buffers and torch's RNG state are as they were afterwards."""
    buffers = {n: b.clone() for n, b in module.named_buffers()}
    rng = torch.random.get_rng_state()
    try:
        with torch.no_grad():
            module(*pytree.tree_map_only(torch.Tensor, torch.clone, example_inputs))
    except EmberError:
        return None
    except Exception as e:
        return e
    finally:
        torch.random.set_rng_state(rng)
        with torch.no_grad():
            for n, b in module.named_buffers():
                if n in buffers:
                    b.copy_(buffers[n])
    return None


_CONSTANT_TYPES = (int, float, bool, str, type(None))


def _take_constant_results(name: str, program, n_mutated: int) -> tuple[tuple[int, object], ...]:
    """Removes the model's Python-constant results (`return y, 3`, `x.shape[0]`, None) from the
    graph, which then returns tensors only; returns (position among the results, value) of each,
    for the call path to put back."""
    output_node = next(n for n in program.graph.nodes if n.op == "output")
    leaves = pytree.tree_leaves(output_node.args[0])
    constants = []
    for i, value in enumerate(leaves[n_mutated:]):
        if isinstance(value, torch.fx.Node):
            continue
        if not isinstance(value, _CONSTANT_TYPES):
            raise CaptureError(
                f"result {i} of {name} is a {type(value).__name__}; ember compiles results that are"
                " tensors or Python constants (int, float, bool, str, None)")
        constants.append((i, value))
    if constants:
        output_node.args = (tuple(v for v in leaves if isinstance(v, torch.fx.Node)),)
        program.graph_signature.output_specs = [
            spec for spec in program.graph_signature.output_specs
            if not isinstance(spec.arg, torch.export.graph_signature.ConstantArgument)]
        program.graph_module.recompile()
    return tuple(constants)


def _result_specs(program, dim_names: dict) -> list[TensorSpec]:
    """The graph's outputs: the new values of mutated inputs first, then the model's results;
    a size of dynamic dims is an expression of their names (`dim_names`: export's symbols)."""
    output_node = next(n for n in program.graph.nodes if n.op == "output")
    specs = []
    for i, value in enumerate(pytree.tree_leaves(output_node.args[0])):
        fake = value.meta.get("val") if isinstance(value, torch.fx.Node) else value
        if not isinstance(fake, torch.Tensor):
            raise CaptureError(
                f"result {i} of the model is a {type(fake).__name__}, a Python number computed from"
                " tensor values by more than the arithmetic operators and comparisons on .item()s"
                " (ember.frontend.item_results); ember compiles results that are tensors, such"
                " numbers or constants: return the tensor instead"
            )
        shape = tuple(dynamic_dims.size_expression(size, dim_names) for size in fake.shape)
        if None in shape:
            raise CaptureError(
                f"result {i} of the model has the data-dependent shape {list(fake.shape)} (its size"
                " depends on the input's values, as with nonzero or bincount); ember compiles"
                " models whose result shapes follow from the input shapes"
            )
        specs.append(TensorSpec(f"result{i}", shape, dtype_name(fake.dtype)))
    return specs


def _mutated_inputs(name: str, program, arg_names: list[str]) -> tuple[str, ...]:
    """The inputs that the model writes in place, in the order of their graph outputs."""
    graph_signature = program.graph_signature
    if graph_signature.buffers_to_mutate:  # they were made inputs (_StateAsInputs): not expected
        buffers = ", ".join(sorted(set(graph_signature.buffers_to_mutate.values())))
        raise CaptureError(f"{name} updates its buffers ({buffers}) in a way ember could not capture")
    placeholders = list(graph_signature.user_inputs)
    mutated = []
    for spec in graph_signature.output_specs:
        if spec.kind == torch.export.graph_signature.OutputKind.USER_INPUT_MUTATION:
            mutated.append(arg_names[placeholders.index(spec.target)])
    return tuple(mutated)


_TORCH_OP = re.compile(r"""(?:name = "|operation ')torch\.(aten\.[\w.]+|prim\.[\w.]+)""")


def _lowering_error(stage: str, diagnostics: list[tuple[str, str, list[str]]]) -> LoweringError:
    """Names the torch op that failed and the user's line it came from."""
    lines, ops = [f"{stage} failed (see the MLIR diagnostics below):"], []
    for location, message, notes in diagnostics:
        op = _TORCH_OP.search(message)
        if op:
            ops.append(op.group(1))
        frames = user_frames(location)
        summary = message.splitlines()[0]
        lines.append(f"  unsupported op {op.group(1)}: {summary}" if op else f"  error: {summary}")
        if frames:
            lines.append(f"    at {frames[0]}: {source_line(frames[0])}")
            lines.extend(f"    called from {f}" for f in frames[1:3])
        lines.extend(f"    note: {note}" for note in notes if not note.startswith("see current operation"))
    return LoweringError("\n".join(lines), ops=tuple(dict.fromkeys(ops)))


def _run_torch_mlir_pipeline(module, pipeline: str, stage: str) -> None:
    with module.context:
        try:
            TorchMlirPassManager.parse(pipeline).run(module.operation)
        except tm_ir.MLIRError as e:  # carries the error diagnostics instead of printing them
            diagnostics = [
                (str(d.location), str(d.message), [str(n.message) for n in d.notes])
                for d in e.error_diagnostics
            ]
            raise _lowering_error(stage, diagnostics) from None


def warm_up() -> None:
    """Exports a trivial function: torch.export and its decompositions import what they need on
    their first use (see ember.interrupts)."""
    program = torch.export.export(_FunctionModule(torch.neg), (torch.zeros(2),), strict=False)
    program.run_decompositions(_decompositions())


def capture(model, example_inputs, isolated: bool = False, dynamic=None) -> CapturedModel:
    """Exports `model` at the shapes of `example_inputs` (the dims named in `dynamic` at every
    size of their range: see ember.frontend.dynamic_dims) and lowers it to linalg-on-tensors;
    `isolated`: torch-mlir's import and lowering (native code that can abort) run in a forked
    child, so that a crash there raises IsolatedCrashError instead of killing this process."""
    with warnings.catch_warnings():
        # torch-mlir 20261001 trips a deprecation of pytree's LeafSpec inside torch; harmless.
        warnings.filterwarnings("ignore", message=".*LeafSpec.*", category=FutureWarning)
        return _capture(model, example_inputs, isolated, dynamic)


def export_graph(model, example_inputs) -> torch.fx.GraphModule:
    """The model exported with ember's decompositions, as an FX graph that takes the model's
    arguments and reads its weights as attributes (get_attr): what `ember.partition` splits."""
    example_inputs = (example_inputs,) if isinstance(example_inputs, torch.Tensor) else tuple(example_inputs)
    name = model_name(model)
    _check_example_inputs(name, _argument_names(model, len(example_inputs)), example_inputs)
    example_inputs = _unaliased(example_inputs)
    if isinstance(model, torch.nn.Module):
        module = model
    else:
        module = _FunctionModule(model)
        torch.fx.proxy._register_stack_trace_anchor(model)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*LeafSpec.*", category=FutureWarning)
        return _export(module, name, example_inputs).module(check_guards=False)


def _capture(model, example_inputs, isolated: bool, dynamic) -> CapturedModel:
    if not (isinstance(model, torch.nn.Module) or callable(model)):
        raise CaptureError(f"ember.compile expects an nn.Module or a function, got {type(model).__name__}")
    if isinstance(example_inputs, torch.Tensor):
        example_inputs = (example_inputs,)
    example_inputs = tuple(example_inputs)
    name = model_name(model)
    arg_names = _argument_names(model, len(example_inputs))
    _check_example_inputs(name, arg_names, example_inputs)
    example_inputs = _unaliased(example_inputs)
    dims = dynamic_dims.parse(dynamic, arg_names, example_inputs) if dynamic is not None else None
    n_user = len(example_inputs)

    if isinstance(model, torch.nn.Module):
        module = model
    else:
        module = _FunctionModule(model)
        # torch.export records only frames of `forward` methods and registered anchors in
        # node stack traces; anchoring the function makes errors point at the user's lines.
        torch.fx.proxy._register_stack_trace_anchor(model)
    if dims is not None:
        example_inputs = dims.export_examples(example_inputs)

    def export() -> object:
        shapes = dims.export_shapes(len(example_inputs)) if dims is not None else None
        if shapes is not None and _takes_star_args(module):
            shapes = (shapes,)  # a forward(*args) takes the inputs as one tuple
        return _export(module, name, example_inputs, shapes)

    program = export()
    state = tuple(sorted(set(program.graph_signature.buffers_to_mutate.values())))
    if state:
        buffers = dict(module.named_buffers())
        module = _StateAsInputs(module, state)
        example_inputs += tuple(buffers[n].clone() for n in state)  # not the buffers: export rejects aliases
        arg_names += state
        program = export()
    dim_names, dim_specs = {}, ()
    if dims is not None:
        user_inputs = [n for n in program.graph.nodes if n.op == "placeholder"
                       and n.name in program.graph_signature.user_inputs]
        dim_names, dim_specs = dynamic_dims.symbol_names(program, dims, user_inputs[:n_user])
    input_shapes = [list(t.shape) for t in example_inputs]
    for (position, axis), dim in (dims.axes.items() if dims is not None else ()):
        input_shapes[position][axis] = dim
    out_spec = program.call_spec.out_spec
    complex_inputs = complex_results = ()
    if complex_as_real.has_complex(program):
        if dims is not None:
            raise CaptureError(f"{name}: complex tensors with dynamic dims are not compiled yet")
        real = complex_as_real.ComplexAsReal(name, program)
        complex_inputs, complex_results = real.complex_inputs, real.complex_results
        example_inputs = tuple(torch.view_as_real(t.resolve_conj()) if t.is_complex() else t for t in example_inputs)
        input_shapes = [list(t.shape) for t in example_inputs]
        program = _export(real, name, example_inputs)
    mutated = _mutated_inputs(name, program, arg_names)
    constants = _take_constant_results(name, program, len(mutated))
    items = take_item_results(program)
    signature = Signature(
        name,
        tuple(TensorSpec(n, tuple(shape), dtype_name(t.dtype), bool(complex_inputs and complex_inputs[i]))
              for i, (n, shape, t) in enumerate(zip(arg_names, input_shapes, example_inputs))),
        tuple(dataclasses.replace(spec, complex=bool(complex_results and complex_results[i]),
                                  item=i + len(mutated) in items)
              for i, spec in enumerate(_result_specs(program, dim_names)[len(mutated):])),
        None if out_spec.is_leaf() else out_spec,
        mutated,
        state,
        constants,
        dim_specs,
    )

    lowering = functools.partial(_to_linalg, program, name)
    if isolated:
        torch_ir, linalg_text, weights = isolation.call_isolated(
            lowering, name, "torch-mlir's import and lowering", functools.partial(_save_program, program, name))
    else:
        torch_ir, linalg_text, weights = lowering()
    return CapturedModel(signature, program.graph_module, torch_ir, linalg_text, weights)


def _to_linalg(program, name: str) -> tuple[str, str, tuple]:
    """torch-mlir's import and lowering of the exported program: the torch backend IR (weights
    elided, for reading), the linalg-on-tensors IR with its large constants elided, and their
    values (literals.split_weights)."""
    _non_persistent_buffers_as_state(program)
    context = tm_ir.Context()
    torch_dialect.register_dialect(context)
    importer = FxImporter(context=context, hooks=DenseLiteralHooks(), graph_node_importer_cls=ControlFlowImporter)
    try:
        importer.import_frozen_program(program, func_name="main")
    except Exception as e:  # the importer raises NotImplementedError, KeyError, ... on gaps
        raise CaptureError(f"torch-mlir could not import {name}: {type(e).__name__}: {e}") from e
    torch_module = importer.module
    _assume_strict_symbolic_shapes(torch_module)
    builtin_ops.rewrite(torch_module)
    _run_torch_mlir_pipeline(torch_module, TORCH_BACKEND_PIPELINE, f"Lowering {name} to the torch backend")
    torch_ir = torch_module.operation.get_asm(large_elements_limit=16, enable_debug_info=False)
    _run_torch_mlir_pipeline(torch_module, LINALG_PIPELINE, f"Lowering {name} from torch to linalg")
    tm_tensor.compare_bools_unsigned(torch_module)
    tm_tensor.order_nan_greatest(torch_module)
    _run_torch_mlir_pipeline(torch_module, tm_tensor.LOWER_TO_LOOPS, f"Lowering the tm_tensor ops of {name} to loops")
    return (torch_ir, *literals.split_weights(torch_module))


def _assume_strict_symbolic_shapes(torch_module) -> None:
    """Marks the functions as torch-mlir's `import_program` does and `import_frozen_program`
    does not: an exported graph's dynamic dims broadcast only where its shapes say so (export
    traces a dim of size 0 or 1 as neither). Without the mark, torch-mlir lowers each
    elementwise op over a dynamic dim to a gather that picks index 0 when that dim is 1 at
    run time, which no schedule vectorizes."""
    with torch_module.context:
        for op in torch_module.body.operations:
            if op.operation.name == "func.func":
                op.attributes["torch.assume_strict_symbolic_shapes"] = tm_ir.UnitAttr.get()


def _non_persistent_buffers_as_state(program) -> None:
    """Buffers registered with persistent=False (position ids, RoPE frequencies, causal masks)
    are in the program's constants, not its state_dict, where torch-mlir 20261001's importer
    looks for every buffer ("Could not find state mapping for buffer"): they are added there."""
    state = program.state_dict
    for spec in program.graph_signature.input_specs:
        if (spec.kind == torch.export.graph_signature.InputKind.BUFFER and spec.persistent is False
                and spec.target not in state):
            state[spec.target] = program.constants[spec.target]


def _save_program(program, name: str) -> str:
    """The exported program, saved where reproducers go: `torch.export.load(path)` gives it back,
    and `ember.compile(program.module(), inputs)` repeats the capture."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:60]
    path = os.path.join(reproducer_dir(), f"{safe}-torch-mlir-{uuid.uuid4().hex[:8]}.pt2")
    try:
        torch.export.save(program, path)
    except Exception as e:  # a program that torch cannot serialize: say so instead
        return f"(none: torch.export.save failed: {type(e).__name__}: {e})"
    return path
