"""Decompositions of ops that torch-mlir 20261001 cannot lower, into ops that it can (and that
ember.frontend.builtin_ops rewrites), each as eager computes it, NaN, infinities and -0
included."""

import math

import torch

aten = torch.ops.aten

_SAME_WIDTH_INT = {torch.float16: torch.int16, torch.bfloat16: torch.int16, torch.float32: torch.int32,
                   torch.float64: torch.int64}


def _signbit(x: torch.Tensor) -> torch.Tensor:
    """The sign bit itself (set for -0.0 and a negative NaN), read through a bitcast."""
    if x.dtype == torch.bool:
        return torch.zeros_like(x)
    if x.dtype in _SAME_WIDTH_INT:
        return aten.view.dtype(x, _SAME_WIDTH_INT[x.dtype]) < 0
    return x < 0


def _float_result(*operands) -> torch.dtype:
    dtype = torch.result_type(*operands)
    return dtype if dtype.is_floating_point else torch.get_default_dtype()


def _copysign(a: torch.Tensor, b) -> torch.Tensor:
    dtype = _float_result(a, b)
    magnitude = torch.abs(a.to(dtype))
    if not isinstance(b, torch.Tensor):  # copysign.Scalar
        return -magnitude if math.copysign(1.0, b) < 0 else magnitude
    return torch.where(_signbit(b.to(dtype)), -magnitude, magnitude)


def _hypot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """sqrt(a² + b²) without overflow or underflow: in float64 for the narrower floats (their
    squares fit), scaled by the larger magnitude in float64. An infinite operand gives inf even
    beside a NaN, as C's hypot does."""
    dtype = _float_result(a, b)
    a, b = a.to(dtype), b.to(dtype)
    if dtype == torch.float64:
        big, small = torch.maximum(a.abs(), b.abs()), torch.minimum(a.abs(), b.abs())
        ratio = torch.where(big == 0, torch.zeros_like(big), small / big)
        result = big * torch.sqrt(1 + ratio * ratio)
    else:
        a64, b64 = a.to(torch.float64), b.to(torch.float64)
        result = torch.sqrt(a64 * a64 + b64 * b64).to(dtype)
    return torch.where(torch.isinf(a) | torch.isinf(b), torch.full_like(result, float("inf")), result)


def _cumulative_extreme(later_wins):
    """cummax / cummin along `dim` as a Hillis-Steele scan: log2(n) steps, each combining every
    element's running (value, index) with the one `step` places before it. eager's rule per
    element, which is associative: a later element takes over if it is NaN, or if the running
    value is not NaN and `later_wins(later, running)` (>= for cummax: ties take the later index)."""

    def scan(x: torch.Tensor, dim: int):
        if x.dim() == 0 or x.numel() == 0:
            return x.clone(), torch.zeros_like(x, dtype=torch.int64)
        dim = dim % x.dim()
        n = x.shape[dim]
        if not isinstance(n, int):
            return NotImplemented  # a dynamic extent has no fixed number of steps
        shape = [1] * x.dim()
        shape[dim] = n
        values, indices = x, torch.arange(n, dtype=torch.int64).reshape(shape).expand(x.shape)
        step = 1
        while step < n:
            earlier_v, earlier_i = values.narrow(dim, 0, n - step), indices.narrow(dim, 0, n - step)
            later_v, later_i = values.narrow(dim, step, n - step), indices.narrow(dim, step, n - step)
            take = later_wins(later_v, earlier_v)
            if x.dtype.is_floating_point:
                take = torch.isnan(later_v) | (~torch.isnan(earlier_v) & take)
            values = torch.cat([values.narrow(dim, 0, step), torch.where(take, later_v, earlier_v)], dim)
            indices = torch.cat([indices.narrow(dim, 0, step), torch.where(take, later_i, earlier_i)], dim)
            step *= 2
        return values.clone(), indices.clone()

    return scan


def decompositions() -> dict:
    return {aten.signbit.default: _signbit, aten.copysign.Tensor: _copysign, aten.copysign.Scalar: _copysign,
            aten.hypot.default: _hypot,
            aten.cummax.default: _cumulative_extreme(torch.ge), aten.cummin.default: _cumulative_extreme(torch.le)}
