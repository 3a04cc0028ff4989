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


# -- special functions: in float64 (float32's squares, logs and series lose what eager keeps) ----------

_LANCZOS_G = 7
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)


def _wide(x: torch.Tensor) -> torch.Tensor:
    return x.to(torch.float64)


def _result_dtype(x: torch.Tensor) -> torch.dtype:
    return x.dtype if x.dtype.is_floating_point else torch.get_default_dtype()


def _sin_pi_reduced(x: torch.Tensor) -> torch.Tensor:
    """|sin(πx)| with x reduced to [-1/2, 1/2] first, exactly (π·x itself rounds for large x)."""
    return torch.sin(math.pi * (x - torch.round(x))).abs()


def _lgamma_lanczos(y: torch.Tensor) -> torch.Tensor:
    """log Γ(y) for y >= 1/2 (Lanczos, g = 7, 9 terms: ~1e-15 relative)."""
    z = y - 1
    series = torch.full_like(z, _LANCZOS[0])
    for i, c in enumerate(_LANCZOS[1:], start=1):
        series = series + c / (z + i)
    t = z + _LANCZOS_G + 0.5
    return 0.5 * math.log(2 * math.pi) + (z + 0.5) * torch.log(t) - t + torch.log(series)


def _lgamma(x: torch.Tensor) -> torch.Tensor:
    """log|Γ(x)|; below 1/2 by the reflection Γ(x)Γ(1-x) = π / sin(πx): inf at the poles (0,
    the negative integers) and at ±inf, as eager."""
    w = _wide(x)
    reflect = w < 0.5
    main = _lgamma_lanczos(torch.where(reflect, 1 - w, w))
    value = torch.where(reflect, torch.log(math.pi / _sin_pi_reduced(w)) - main, main)
    return torch.where(torch.isinf(w), torch.full_like(w, math.inf), value).to(_result_dtype(x))


_DIGAMMA_ASYMPTOTIC = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760)  # z^-2, z^-4, ... z^-12


def _digamma(x: torch.Tensor) -> torch.Tensor:
    """ψ(x): six steps of ψ(y) = ψ(y+1) - 1/y, then the asymptotic series at y + 6 >= 6.5 (~1e-12);
    below 1/2 by the reflection ψ(x) = ψ(1-x) - π / tan(πx). As eager: ∓inf at ±0, NaN at the
    negative integers and at -inf."""
    w = _wide(x)
    reflect = w < 0.5
    y = torch.where(reflect, 1 - w, w)
    shift = torch.zeros_like(y)
    for k in range(6):
        shift = shift + 1 / (y + k)
    z = y + 6
    inverse_square = 1 / (z * z)
    tail, power = torch.zeros_like(z), torch.ones_like(z)
    for c in _DIGAMMA_ASYMPTOTIC:
        power = power * inverse_square
        tail = tail + c * power
    main = torch.log(z) - 0.5 / z - tail - shift
    value = torch.where(reflect, main - math.pi / torch.tan(math.pi * (w - torch.round(w))), main)
    value = torch.where(w == 0, torch.where(_signbit(w), math.inf, -math.inf), value)
    pole = (w < 0) & (w == torch.floor(w))
    return torch.where(pole, torch.full_like(w, math.nan), value).to(_result_dtype(x))


# Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011), single precision
_ERFINV_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                   -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _horner(t: torch.Tensor, coefficients) -> torch.Tensor:
    value = torch.full_like(t, coefficients[0])
    for c in coefficients[1:]:
        value = value * t + c
    return value


def _erfinv(y: torch.Tensor) -> torch.Tensor:
    """erf⁻¹(y): Giles' approximation, then two Newton steps on erf in float64 (near the
    float64 answer); ±inf at ±1 and NaN beyond, as eager."""
    w = _wide(y)
    inside = w.abs() < 1
    safe = torch.where(inside, w, torch.zeros_like(w))
    s = -torch.log((1 - safe) * (1 + safe))
    x = safe * torch.where(s < 5, _horner(s - 2.5, _ERFINV_CENTRAL), _horner(torch.sqrt(s) - 3, _ERFINV_TAIL))
    for _ in range(2):
        x = x - (torch.erf(x) - safe) / (2 / math.sqrt(math.pi) * torch.exp(-x * x))
    x = torch.where(inside, x, torch.where(w.abs() == 1, w * math.inf, torch.full_like(w, math.nan)))
    return x.to(_result_dtype(y))


def _i0(x: torch.Tensor) -> torch.Tensor:
    """I₀(x): its power series Σ (x²/4)^k / k!² up to |x| = 20 (48 terms), the asymptotic series
    e^|x| / sqrt(2π|x|) · Σ a_k / |x|^k beyond (9 terms); NaN at ±inf, as eager."""
    a = _wide(x).abs()
    small = torch.minimum(a, torch.full_like(a, 20.0))
    quarter_square, term, series = small * small / 4, torch.ones_like(a), torch.ones_like(a)
    for k in range(1, 48):
        term = term * quarter_square / (k * k)
        series = series + term
    large = torch.maximum(a, torch.full_like(a, 20.0))
    term, tail = torch.ones_like(a), torch.ones_like(a)
    for k in range(1, 10):
        term = term * (2 * k - 1) ** 2 / (8 * k * large)
        tail = tail + term
    asymptotic = torch.exp(large) / torch.sqrt(2 * math.pi * large) * tail
    value = torch.where(a <= 20, series, asymptotic)
    # eager computes e^|x| in the input's dtype: inf once that overflows, before I₀ itself does
    dtype = _result_dtype(x)
    overflow = torch.full_like(value, math.inf)
    return torch.where((a > math.log(torch.finfo(dtype).max)) & ~torch.isinf(a), overflow, value).to(dtype)


# -- distances and medians -----------------------------------------------------------------------------

def _cdist(x1: torch.Tensor, x2: torch.Tensor, p: float = 2.0, compute_mode=None) -> torch.Tensor:
    """The p-norm distances of every pair of rows, from their differences (eager's matrix-product
    form for p = 2 on more than 25 rows loses the small distances; this does not)."""
    difference = (x1.unsqueeze(-2) - x2.unsqueeze(-3)).abs()
    if p == 0:
        return (difference != 0).to(x1.dtype).sum(-1)
    if p == 1:
        return difference.sum(-1)
    if p == 2:
        return torch.sqrt((difference * difference).sum(-1))
    if math.isinf(p):
        return difference.amax(-1)
    return (difference ** p).sum(-1) ** (1 / p)


def _median_dim(x: torch.Tensor, dim: int = -1, keepdim: bool = False, ignore_nan: bool = False):
    """The lower median along `dim` and its index, by a sort (NaN sorts last). median: a
    row with a NaN gives NaN and its first NaN's index, as eager. nanmedian: the median of the
    numbers. Among equal values eager's index is whichever its selection stops at; here, the
    sort's."""
    if x.dim() == 0:
        return x.clone(), torch.zeros((), dtype=torch.int64)
    dim = dim % x.dim()
    values, indices = torch.sort(x, dim)  # torch-mlir's sort (a bubble sort) keeps equal values in order
    n = x.shape[dim]
    if ignore_nan:
        count = (~torch.isnan(x)).sum(dim, keepdim=True)
        k = torch.clamp((count - 1) // 2, min=0)
    else:
        k = torch.full_like(x.narrow(dim, 0, 1), (n - 1) // 2, dtype=torch.int64)
    value, index = values.gather(dim, k), indices.gather(dim, k)
    if not ignore_nan and x.dtype.is_floating_point:
        nan = torch.isnan(x)
        first_nan = torch.argmax(nan.to(torch.int64), dim, keepdim=True)
        has_nan = nan.any(dim, keepdim=True)
        value = torch.where(has_nan, torch.full_like(value, math.nan), value)
        index = torch.where(has_nan, first_nan, index)
    if not keepdim:
        value, index = value.squeeze(dim), index.squeeze(dim)
    return value, index


def _median(x: torch.Tensor, ignore_nan: bool = False) -> torch.Tensor:
    return _median_dim(x.reshape(-1), 0, ignore_nan=ignore_nan)[0]


def _nextafter(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The next float after x toward y, one step of x's bits (away from zero where y lies beyond
    x on x's side); from ±0, the smallest subnormal with y's sign; y where x == y; NaN from a NaN."""
    x, y = torch.broadcast_tensors(x, y)
    bits_type = _SAME_WIDTH_INT[x.dtype]
    bits = aten.view.dtype(x, bits_type)
    away_from_zero = (y > x) == (x > 0)
    step = aten.view.dtype(torch.where(away_from_zero, bits + 1, bits - 1), x.dtype)
    tiny = torch.finfo(x.dtype).smallest_normal * torch.finfo(x.dtype).eps
    from_zero = torch.where(y > 0, torch.full_like(x, tiny), torch.full_like(x, -tiny))
    result = torch.where(x == 0, from_zero, step)
    return torch.where(x == y, y, torch.where(torch.isnan(x) | torch.isnan(y), x + y, result))


def _shift(shift_op, out_of_range):
    """`a << b` and `a >> b` as eager computes them: a shift by a negative count or by the width
    or more gives `out_of_range(a, width)` (0; the sign for >>), where LLVM's shift is poison.
    Zeros are `a & 0`: torch-mlir folds a uint8 zeros_like into a literal of the wrong type."""

    def shift(a: torch.Tensor, b) -> torch.Tensor:
        a = a.to(torch.result_type(a, b))
        width = torch.iinfo(a.dtype).bits
        if not isinstance(b, torch.Tensor):  # a Python int: decided here
            return shift_op(a, torch.full_like(a, b)) if 0 <= b < width else out_of_range(a, width)
        fits = (b >= 0) & (b < width)
        shifted = shift_op(a, torch.where(fits, b, 0).to(a.dtype))
        return torch.where(fits, shifted, out_of_range(a, width).to(shifted.dtype))

    return shift


def _euclid_steps(bits: int) -> int:
    """The most steps Euclid's algorithm takes on numbers below 2**bits (Lamé: consecutive
    Fibonacci numbers are the worst case), and one more."""
    a, b, steps = 1, 1, 0
    while b < 2 ** bits:
        a, b, steps = b, a + b, steps + 1
    return steps + 1


def _gcd(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """ATen's loop (`while (a != 0) { c = a; a = b % a; b = c; }` on |a|, |b|, C's remainder),
    unrolled for as many steps as the dtype's widest numbers take; finished lanes stay put.
    C's remainder from a truncating division (|INT_MIN| stays negative, as in C): torch-mlir
    computes an integer fmod in floats."""
    a, b = torch.broadcast_tensors(torch.abs(a), torch.abs(b))
    for _ in range(_euclid_steps(torch.iinfo(a.dtype).bits)):
        running = a != 0
        divisor = torch.where(running, a, 1)
        remainder = b - torch.div(b, divisor, rounding_mode="trunc") * divisor
        a, b = torch.where(running, remainder, a), torch.where(running, a, b)
    return b


def _lcm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """ATen's |a / gcd * b|, in C's int for int8/int16 (as C promotes them), then narrowed."""
    g = _gcd(a, b)
    wide = torch.int32 if torch.iinfo(a.dtype).bits < 32 else a.dtype
    quotient = torch.div(a, torch.where(g == 0, 1, g), rounding_mode="trunc").to(wide)
    return torch.where(g == 0, 0, torch.abs(quotient * b.to(wide))).to(a.dtype)


def _isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> torch.Tensor:
    """Each element against every test element (an `==` fused into an `any`, O(n m) compares
    where eager sorts for long test sets)."""
    if not isinstance(test_elements, torch.Tensor):  # isin.Tensor_Scalar
        found = elements == test_elements
    else:
        found = (elements.unsqueeze(-1) == test_elements.flatten()).any(-1)
    return ~found if invert else found


def _fmod_scalar(a: torch.Tensor, b) -> torch.Tensor:
    """fmod by a Python number as fmod by a tensor of it, which capture's fmod.Tensor entry
    decomposes (torch-mlir's fmod.Scalar of integers does not lower)."""
    a = a.to(torch.result_type(a, b))
    return aten.fmod.Tensor(a, torch.full_like(a, b))


def _integer_power(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """ATen's integer power: squaring per bit of the exponent, unrolled over the dtype's bits
    (wrapping as C's multiplication); a negative exponent gives 0, 1 for a base of 1 and ±1 for -1."""
    result, base, exponent = torch.ones_like(a), a, b
    for _ in range(torch.iinfo(a.dtype).bits - 1):
        result = torch.where((exponent & 1) == 1, result * base, result)
        base = base * base
        exponent = aten.bitwise_right_shift.Tensor(exponent, torch.ones_like(exponent))
    odd = (b & 1) == 1
    negative = torch.where(a == 1, 1, torch.where(a == -1, torch.where(odd, -1, 1), 0)).to(a.dtype)
    return torch.where(b < 0, negative, result)


def _pow_tensor_tensor(a: torch.Tensor, b: torch.Tensor):
    """Integers by `_integer_power` (torch-mlir lowers pow of floats only); floats as they are."""
    dtype = torch.result_type(a, b)
    if dtype.is_floating_point or dtype.is_complex or dtype == torch.bool:
        return NotImplemented
    a, b = torch.broadcast_tensors(a.to(dtype), b.to(dtype))
    return _integer_power(a, b)


def _pow_scalar(a, b: torch.Tensor):
    dtype = torch.result_type(a, b)
    if dtype.is_floating_point or dtype.is_complex or dtype == torch.bool:
        return NotImplemented
    b = b.to(dtype)
    return _integer_power(torch.full_like(b, a), b)


def decompositions() -> dict:
    return ({aten.signbit.default: _signbit, aten.copysign.Tensor: _copysign, aten.copysign.Scalar: _copysign,
            aten.hypot.default: _hypot,
            aten.cummax.default: _cumulative_extreme(torch.ge), aten.cummin.default: _cumulative_extreme(torch.le),
            aten.lgamma.default: _lgamma, aten.digamma.default: _digamma, aten.erfinv.default: _erfinv,
            aten.i0.default: _i0, aten._cdist_forward.default: _cdist,
            aten.median.dim: _median_dim, aten.median.default: _median,
            aten.nanmedian.dim: lambda x, dim=-1, keepdim=False: _median_dim(x, dim, keepdim, ignore_nan=True),
            aten.nanmedian.default: lambda x: _median(x, ignore_nan=True),
            aten.nextafter.default: _nextafter, aten.gcd.default: _gcd, aten.lcm.default: _lcm,
            aten.isin.Tensor_Tensor: _isin, aten.isin.Tensor_Scalar: _isin, aten.fmod.Scalar: _fmod_scalar,
            aten.pow.Tensor_Tensor: _pow_tensor_tensor, aten.pow.Scalar: _pow_scalar}
    | {op: _shift(aten.bitwise_left_shift.Tensor, lambda a, width: a & 0)
       for op in (aten.__lshift__.Tensor, aten.__lshift__.Scalar)}
    | {op: _shift(aten.bitwise_right_shift.Tensor,
                  lambda a, width: a & 0 if not a.dtype.is_signed
                  else aten.bitwise_right_shift.Tensor(a, torch.full_like(a, width - 1)))
       for op in (aten.__rshift__.Tensor, aten.__rshift__.Scalar)})
