"""Random ops as decompositions over one draw, with eager's ranges and distributions.

torch-mlir lowers one random op, `aten.uniform`: a counter-based generator (Squares, keyed per
draw from the call's seed, see `ember-caller-seed`) gives 64 random bits per element, scaled
into the range in float64 and rounded to the op's dtype. Its own decompositions of the other
random ops compute in the op's dtype, and get these wrong (torch-mlir 20261001):
  - `rand` in float16/bfloat16 rounds to 1.0 (0.02% / 0.2% of the draws): eager's is in [0, 1);
  - `randint` truncates a float32 uniform toward zero: with a negative low, 0 comes twice as
    often and low almost never; with a float dtype it returns non-integers; beyond 2^24 values
    are lost;
  - `randn` (Box-Muller) in float16 takes log(0) where the uniform underflows (one draw in 2^25):
    inf;
  - `bernoulli(p)` of p = 1 can give 0: one draw in 2^25 for float32, in 4096 for float16;
  - `dropout` with p = 1 gives NaN (0 / 0), eager zeros;
  - `rand_like` of an integer tensor with a float dtype does not lower at all;
  - `multinomial` draws its seed inside a loop (per row), `randperm`, `normal(mean, std, size)`,
    `log_normal_`, `cauchy_` and `geometric_` do not lower.
So here every random op is built from one draw, `_bits`, and `_grid(shape, d)` on it: eager's
own uniform on [0, 1), `k / 2^d` for d significant bits, k < 2^d (24 for float32, 53 for
float64; float16 and bfloat16 draw in float32, as eager does). Each op transforms it as eager's
CPU kernel does, in the same precision, and rounds once, to the result's dtype. Bit equality
with eager's numbers is not the aim; their distributions are the same.

A random op that is given its own `generator=` is refused: ember draws every number from the
per-call seed that the runtime takes from torch's default generator (what torch.manual_seed
controls), and a model's own generator would silently stop controlling its numbers.
"""

import math

import torch

from ember.errors import CaptureError
from ember.frontend.runtime_check_op import check

_F64 = torch.float64
# `_bits`' draw: uniform(0, 2^53) on float64 is exactly the 64 random bits (as float64) times
# 2^-11. A decomposition of `uniform` keeps this one call as it is.
_BITS_HIGH = float(2**53)
_INTEGER_SPAN = 2**53  # randint draws offsets from 53 random bits


def _bits(shape) -> torch.Tensor:
    """Uniform numbers in [0, 2^53] as float64 (one draw of torch-mlir's generator): 64 random
    bits, rounded to float64, times 2^-11."""
    return torch.ops.aten.uniform.default(torch.empty(shape, dtype=_F64), 0.0, _BITS_HIGH)


# Eager's uniform_kernel draws in the dtype's opmath type: u on that type's grid, k / 2^d for its
# d significant bits (std::numeric_limits<T>::digits), k < 2^d.
_OPMATH = {torch.float64: (_F64, 53), torch.float32: (torch.float32, 24), torch.float16: (torch.float32, 24),
           torch.bfloat16: (torch.float32, 24)}


def _grid(shape, digits: int = 53) -> torch.Tensor:
    """Uniform on {0, 1, ..., 2^digits - 1} / 2^digits in float64: eager's uniform on [0, 1).
    The top `digits` of the 64 bits: 2^digits where they rounded up to 2^64 (one draw in 2^54),
    which is the largest k instead."""
    top = torch.floor(_bits(shape) * 2.0 ** (digits - 53))
    return torch.clamp(top, max=2.0**digits - 1) * 2.0 ** -digits


def _standard_normal(shape, dtype=_F64) -> torch.Tensor:
    """Box-Muller as eager's normal_fill, sqrt(-2 log u1) cos(2 pi u2) with u1 = 1 - u in (0, 1]
    (log never sees 0): in float64 for float64, else in float32 from float32's grid, as eager
    computes a float32 tensor's (float64 log and cos would take five times longer)."""
    compute, digits = (_F64, 53) if dtype == _F64 else (torch.float32, 24)
    u1 = 1.0 - _grid(shape, digits).to(compute)
    u2 = _grid(shape, digits).to(compute)
    return torch.sqrt(-2.0 * torch.log(u1)) * torch.cos((2.0 * math.pi) * u2)


def _refuse_generator(op: str, generator) -> None:
    if generator is not None:
        raise CaptureError(
            f"aten.{op} draws from a generator of its own (generator=); ember draws every random number from"
            " torch's default generator (one seed per call, what torch.manual_seed sets): drop the generator"
        )


def _float_dtype(op: str, dtype) -> torch.dtype:
    dtype = dtype or torch.get_default_dtype()
    if not dtype.is_floating_point:
        raise CaptureError(f"aten.{op} gives floating-point numbers; dtype {dtype} is not one")
    return dtype


# -- uniform -------------------------------------------------------------------------------------


def _uniform(op: str, shape, dtype, low=0.0, high=1.0) -> torch.Tensor:
    """Eager's uniform_kernel: low + (high - low) u in the opmath type, rounded to `dtype`; a value
    that rounded up to `high` (float16 and bfloat16 do, for u near 1) becomes `low`, so the
    range stays [low, high) (torch-mlir's rounds to 1.0)."""
    if dtype not in _OPMATH:
        raise CaptureError(f"aten.{op} in {dtype}: ember draws uniform numbers in float16, bfloat16, float32 and float64")
    opmath, digits = _OPMATH[dtype]
    value = (_grid(shape, digits).to(opmath) * (high - low) + low).to(dtype)
    return torch.where(value == high, low, value)


def rand(size, *, generator=None, dtype=None, **_):
    _refuse_generator("rand", generator)
    return _uniform("rand", size, dtype or torch.get_default_dtype())


def rand_like(x, *, dtype=None, **_):
    return rand(x.shape, dtype=dtype or x.dtype)


def uniform(x, low=0.0, high=1.0, generator=None):
    if x.dtype == _F64 and low == 0.0 and high == _BITS_HIGH and generator is None:
        return NotImplemented  # _bits' own draw: torch-mlir lowers it
    _refuse_generator("uniform", generator)
    return _uniform("uniform", x.shape, x.dtype, low, high)


# -- normal --------------------------------------------------------------------------------------


def randn(size, *, generator=None, dtype=None, **_):
    _refuse_generator("randn", generator)
    dtype = _float_dtype("randn", dtype)
    return _standard_normal(size, dtype).to(dtype)


def randn_like(x, *, dtype=None, **_):
    return randn(x.shape, dtype=dtype or x.dtype)


def normal_functional(x, mean=0.0, std=1.0, *, generator=None):
    _refuse_generator("normal", generator)
    dtype = _float_dtype("normal", x.dtype)
    return (_standard_normal(x.shape, dtype) * std + mean).to(dtype)


def normal_float_float(mean, std, size, *, generator=None, dtype=None, **_):
    _refuse_generator("normal", generator)
    dtype = _float_dtype("normal", dtype)
    return (_standard_normal(size, dtype) * std + mean).to(dtype)


def normal_tensor_float(mean: torch.Tensor, std=1.0, *, generator=None):
    _refuse_generator("normal", generator)
    return (_standard_normal(mean.shape, mean.dtype) * std + mean).to(mean.dtype)


def normal_float_tensor(mean, std: torch.Tensor, *, generator=None):
    _refuse_generator("normal", generator)
    return (_standard_normal(std.shape, std.dtype) * std + mean).to(std.dtype)


def normal_tensor_tensor(mean: torch.Tensor, std: torch.Tensor, *, generator=None):
    _refuse_generator("normal", generator)
    shape = torch.broadcast_shapes(mean.shape, std.shape)
    dtype = torch.promote_types(mean.dtype, std.dtype)
    return (_standard_normal(shape, dtype) * std + mean).to(dtype)


def log_normal(x, mean=1.0, std=2.0, generator=None):
    _refuse_generator("log_normal", generator)
    dtype = _float_dtype("log_normal", x.dtype)
    return torch.exp(_standard_normal(x.shape, dtype) * std + mean).to(dtype)


# -- other distributions -------------------------------------------------------------------------


def exponential(x, lambd=1.0, generator=None):
    """-log1p(-u) / lambda, as eager's CPU kernel: u < 1, so never inf."""
    _refuse_generator("exponential", generator)
    return (-torch.log1p(-_grid(x.shape)) / lambd).to(_float_dtype("exponential", x.dtype))


def geometric(x, p, generator=None):
    """ceil(log(u) / log1p(-p)) with u in (0, 1], at least 1 (the number of the first success)."""
    _refuse_generator("geometric", generator)
    trials = torch.ceil(torch.log(1.0 - _grid(x.shape)) / math.log1p(-p))
    return torch.clamp(trials, min=1.0).to(x.dtype)


def cauchy(x, median=0.0, sigma=1.0, generator=None):
    _refuse_generator("cauchy", generator)
    return (median + sigma * torch.tan(math.pi * (_grid(x.shape) - 0.5))).to(_float_dtype("cauchy", x.dtype))


def bernoulli(p: torch.Tensor, *, generator=None):
    """1 with probability p: u < p, u on the float64 grid (so p = 1 always gives 1, p = 0 never)."""
    _refuse_generator("bernoulli", generator)
    return (_grid(p.shape) < p.to(_F64)).to(p.dtype)


def bernoulli_p(x, p=0.5, generator=None):
    _refuse_generator("bernoulli", generator)
    return (_grid(x.shape) < p).to(x.dtype)


def bernoulli_tensor(x, p: torch.Tensor, generator=None):
    _refuse_generator("bernoulli", generator)
    return (_grid(x.shape) < p.to(_F64)).to(x.dtype)


def native_dropout(x, p: float, train):
    """Eager's dropout: each element kept with probability 1 - p and scaled by 1 / (1 - p);
    p = 1 drops everything (torch-mlir's divides 0 by 0: NaN)."""
    if train is False or p == 0:  # None trains, as in ATen
        return x.clone(), torch.ones_like(x, dtype=torch.bool)
    if p == 1:
        return torch.zeros_like(x), torch.zeros_like(x, dtype=torch.bool)
    keep = _grid(x.shape) < 1.0 - p
    return x * (keep.to(x.dtype) * (1.0 / (1.0 - p))), keep


# -- integers ------------------------------------------------------------------------------------


def _integers(op: str, shape, low: int, high: int, dtype) -> torch.Tensor:
    """Uniform integers in [low, high): low + floor(u * span), u on the float64 grid."""
    span = high - low
    if span <= 0:
        raise CaptureError(f"aten.{op}: the range [{low}, {high}) is empty")
    if span > _INTEGER_SPAN:
        raise CaptureError(
            f"aten.{op}: ember draws integers from 53 random bits, and [{low}, {high}) has more than 2^53 values"
        )
    offset = torch.clamp(torch.floor(_grid(shape) * span), max=float(span - 1))  # < span, even after rounding
    dtype = dtype or torch.int64
    if dtype.is_floating_point:
        return (offset + low).to(dtype)
    return (offset.to(torch.int64) + low).to(dtype)


def randint(high, size, *, generator=None, dtype=None, **_):
    _refuse_generator("randint", generator)
    return _integers("randint", size, 0, high, dtype)


def randint_low(low, high, size, *, generator=None, dtype=None, **_):
    _refuse_generator("randint", generator)
    return _integers("randint", size, low, high, dtype)


def randint_like(x, high, *, dtype=None, **_):
    return _integers("randint_like", x.shape, 0, high, dtype or x.dtype)


def randint_like_low(x, low, high, *, dtype=None, **_):
    return _integers("randint_like", x.shape, low, high, dtype or x.dtype)


def randperm(n, *, generator=None, dtype=None, **_):
    """The order that sorts n uniform keys: a uniform permutation (ties, one in 2^53 per pair,
    keep the lower index first, so it is a permutation in any case)."""
    _refuse_generator("randperm", generator)
    return torch.ops.aten.sort.default(_bits([n]))[1].to(dtype or torch.int64)


def _checked_weights(p: torch.Tensor, per_entry: bool) -> torch.Tensor:
    """p, checked as eager checks a multinomial's weights, with its messages: entry by entry
    where it draws with replacement more than once (a NaN fails `p >= 0` there), as a whole
    otherwise; the sum only where the entries passed (eager stops at its first failed check)."""
    if per_entry:
        non_negative, finite = (p >= 0).all(), torch.isfinite(p).all()
        p = check(non_negative, p, "invalid multinomial distribution (encountering probability entry < 0)")
        p = check(finite | ~non_negative, p,
                  "invalid multinomial distribution (encountering probability entry = infinity or NaN)")
        entries_valid = non_negative & finite
    else:
        entries_valid = (p.amax() < float("inf")) & (p.amin() >= 0)
        p = check(entries_valid, p, "probability tensor contains either `inf`, `nan` or element < 0")
    return check((p.sum(-1) > 0).all() | ~entries_valid, p, "invalid multinomial distribution (sum of probabilities <= 0)")


def multinomial(p: torch.Tensor, num_samples: int, replacement=False, *, generator=None):
    """Draws of category indices with probabilities proportional to p's last dimension (torch-mlir
    lowers only draws with replacement, and draws the seed in a loop, per row). With
    replacement: the categories whose cumulative weight is at most u * total, counted, u on the
    float64 grid (a category of weight 0 is never drawn). Without: eager's own algorithm, the
    largest p / q for q ~ Exp(1) (Gumbel top-k). Eager's checks of p are made when the model
    runs, with eager's messages (RuntimeError)."""
    _refuse_generator("multinomial", generator)
    p = _checked_weights(p, replacement and num_samples > 1)
    weights = p.to(_F64)
    if not replacement:
        exponential_draws = -torch.log1p(-_grid(p.shape))
        return torch.topk(weights / exponential_draws, num_samples, dim=-1)[1]
    cumulative = torch.cumsum(weights, -1)
    targets = _grid((*p.shape[:-1], num_samples)) * cumulative[..., -1:]
    below = (cumulative.unsqueeze(-2) <= targets.unsqueeze(-1)).sum(-1)
    return torch.clamp(below, max=p.shape[-1] - 1)


def _has_own_generator(op: str):
    def refused(*args, generator=None, **kwargs):
        _refuse_generator(op, generator if generator is not None else "given")

    return refused


def decompositions() -> dict:
    """The random ops' entries of the capture's decomposition table."""
    aten = torch.ops.aten
    table = {
        aten.rand.default: rand,
        aten.rand_like.default: rand_like,
        aten.uniform.default: uniform,
        aten.randn.default: randn,
        aten.randn_like.default: randn_like,
        aten.normal_functional.default: normal_functional,
        aten.normal.float_float: normal_float_float,
        aten.normal.Tensor_float: normal_tensor_float,
        aten.normal.float_Tensor: normal_float_tensor,
        aten.normal.Tensor_Tensor: normal_tensor_tensor,
        aten.log_normal.default: log_normal,
        aten.exponential.default: exponential,
        aten.geometric.default: geometric,
        aten.cauchy.default: cauchy,
        aten.bernoulli.default: bernoulli,
        aten.bernoulli.p: bernoulli_p,
        aten.bernoulli.Tensor: bernoulli_tensor,
        aten.native_dropout.default: native_dropout,
        aten.randint.default: randint,
        aten.randint.low: randint_low,
        aten.randint_like.default: randint_like,
        aten.randint_like.low_dtype: randint_like_low,
        aten.randperm.default: randperm,
        aten.multinomial.default: multinomial,
    }
    for op in ("rand.generator", "randn.generator", "randint.generator", "randint.low_generator",
               "randperm.generator"):
        packet, overload = op.split(".")
        table[getattr(getattr(aten, packet), overload)] = _has_own_generator(packet)
    return table
