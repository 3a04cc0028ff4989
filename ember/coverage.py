"""The coverage table: single-op cases across the ATen families, each run by ember and by eager.

`ember coverage [--family F] [--dtype D]` prints, per case, whether ember compiles it whole
(`compiled`, matching eager), runs it in parts (`fell back`: fallback="eager" matched eager),
or neither (`failed`, with why: an error, or a result that differs from eager's).
test/python/test_coverage.py compiles every case with fallback="error" against eager.
"""

import math
import warnings
import zlib
from dataclasses import dataclass, field
from typing import Callable

import torch
import torch.nn.functional as F

FLOATS = ("float32", "float16", "bfloat16")


@dataclass(frozen=True)
class Op:
    family: str
    name: str
    fn: Callable
    make: Callable  # make(dtype, generator) -> the inputs
    dtypes: tuple = ("float32",)
    gap: str | None = None  # a known gap: ember.compile(fallback="error") raises an EmberError naming it


@dataclass(frozen=True)
class Case:
    op: Op
    dtype: str
    inputs: tuple = field(compare=False)

    def __str__(self):
        return f"{self.op.family}-{self.op.name}-{self.dtype}"


def _tensor(shape, dtype, gen, low=None, high=None):
    dtype = getattr(torch, dtype)
    if dtype == torch.bool:
        return torch.rand(shape, generator=gen) > 0.5
    if not dtype.is_floating_point:
        return torch.randint(-8 if low is None else low, 8 if high is None else high, shape, generator=gen, dtype=dtype)
    x = torch.randn(shape, generator=gen) if low is None else torch.rand(shape, generator=gen) * (high - low) + low
    return x.to(dtype)


def _ts(*shapes, low=None, high=None):
    """make(dtype, gen) of tensors of these shapes: normal floats (uniform in [low, high) if
    given), integers in [-8, 8) (or [low, high)), bools."""

    def make(dtype, gen):
        return tuple(_tensor(s, dtype, gen, low, high) for s in shapes)

    return make


def _t(*shape, low=None, high=None):
    """make(dtype, gen) of one tensor (see _ts)."""
    return _ts(shape, low=low, high=high)


def _distinct(*shape):
    """make(dtype, gen) of one tensor without ties (a permutation), so that sorts, top-k and
    running extremes have one right index."""

    def make(dtype, gen):
        n = math.prod(shape)
        values = torch.randperm(n, generator=gen) - n // 2
        return ((values.float() / 4 if getattr(torch, dtype).is_floating_point else values).to(getattr(torch, dtype)).reshape(shape),)

    return make


def _with(make, *extra):
    """make's inputs followed by fixed extra tensors (indices, masks), made here."""

    def made(dtype, gen):
        return make(dtype, gen) + tuple(e(gen) for e in extra)

    return made


def _index(high, *shape):
    return lambda gen: torch.randint(0, high, shape, generator=gen)


def _mask(*shape):
    return lambda gen: torch.rand(shape, generator=gen) > 0.5


def _unary(family, names, dtypes=("float32",), shape=(4, 8), low=None, high=None):
    return [Op(family, n, getattr(torch, n), _t(*shape, low=low, high=high), dtypes) for n in names]


def _table() -> list[Op]:
    ops = []
    ops += _unary("unary", ["abs", "neg", "exp", "tanh", "sigmoid", "sqrt", "log", "sin", "floor", "round"], FLOATS)
    ops += _unary("unary", ["exp2", "expm1", "log2", "log10", "log1p", "rsqrt", "cos", "tan", "sinh", "cosh",
                            "asinh", "erf", "erfc", "ceil", "trunc", "frac", "sign", "reciprocal", "square",
                            "lgamma", "digamma", "sinc", "deg2rad", "i0", "nan_to_num", "signbit", "atan"])
    ops += _unary("unary", ["asin", "acos", "atanh", "logit", "erfinv"], low=-0.99, high=0.99)
    ops += _unary("unary", ["acosh"], low=1.0, high=5.0)
    ops += _unary("unary", ["abs", "neg", "sign", "square", "bitwise_not"], ("int64", "int32"))
    ops += _unary("unary", ["logical_not", "bitwise_not"], ("bool",))
    for name, fn in [("relu", F.relu), ("gelu", F.gelu), ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh")),
                     ("silu", F.silu), ("mish", F.mish), ("softplus", F.softplus), ("elu", F.elu), ("selu", F.selu),
                     ("leaky_relu", F.leaky_relu), ("hardswish", F.hardswish), ("hardsigmoid", F.hardsigmoid),
                     ("hardtanh", F.hardtanh), ("relu6", F.relu6), ("celu", F.celu), ("logsigmoid", F.logsigmoid),
                     ("softsign", F.softsign), ("tanhshrink", F.tanhshrink), ("hardshrink", F.hardshrink),
                     ("softshrink", F.softshrink), ("threshold", lambda x: F.threshold(x, 0.1, -2.0))]:
        ops.append(Op("activation", name, fn, _t(4, 8), FLOATS if name in ("relu", "gelu", "silu") else ("float32",)))

    two = _ts((4, 8), (4, 8))
    for name in ["add", "sub", "mul", "div", "maximum", "minimum"]:
        ops.append(Op("binary", name, getattr(torch, name), two, ("float32", "float16", "bfloat16", "int64")))
    for name in ["pow", "atan2", "fmax", "fmin", "remainder", "fmod", "hypot", "copysign", "xlogy", "logaddexp",
                 "floor_divide", "nextafter", "true_divide"]:
        ops.append(Op("binary", name, getattr(torch, name), two))
    ops.append(Op("binary", "pow_positive_base", torch.pow, _ts((4, 8), (4, 8), low=0.5, high=2.0)))
    ops.append(Op("binary", "broadcast_add", torch.add, _ts((4, 1, 8), (3, 1))))
    ops.append(Op("binary", "scalar_mul", lambda x: x * 2.5 - 1, _t(4, 8), FLOATS))
    for name in ["floor_divide", "remainder", "fmod", "bitwise_and", "bitwise_or", "bitwise_xor", "gcd", "lcm"]:
        ops.append(Op("binary", name, getattr(torch, name), _ts((4, 8), (4, 8), low=1, high=9), ("int64",)))
    ops.append(Op("binary", "shifts", lambda a, b: (a << b, a >> b), _ts((4, 8), (4, 8), low=0, high=5), ("int64",)))
    for name in ["logical_and", "logical_or", "logical_xor", "bitwise_and"]:
        ops.append(Op("binary", name, getattr(torch, name), two, ("bool",)))

    three = _ts((4, 8), (4, 8), (4, 8))
    ops += [Op("ternary", "addcmul", lambda a, b, c: torch.addcmul(a, b, c, value=0.5), three),
            Op("ternary", "addcdiv", lambda a, b, c: torch.addcdiv(a, b, c.abs() + 1, value=0.5), three),
            Op("ternary", "lerp", torch.lerp, three, FLOATS),
            Op("ternary", "clamp_tensor", lambda a, b, c: torch.clamp(a, torch.minimum(b, c), torch.maximum(b, c)), three),
            Op("ternary", "where", lambda c, a, b: torch.where(c > 0, a, b), three, ("float32", "int64")),
            Op("ternary", "clamp", lambda x: x.clamp(-0.5, 0.7), _t(4, 8), ("float32", "float16", "int64"))]

    for name in ["eq", "ne", "lt", "le", "gt", "ge"]:
        ops.append(Op("compare", name, getattr(torch, name), _ts((4, 8), (4, 8), low=-2, high=2),
                      ("float32", "int64", "bool") if name in ("eq", "ne") else ("float32", "int64")))
    ops += [Op("compare", "isnan", lambda x: torch.isnan(torch.log(x)), _t(4, 8)),
            Op("compare", "isinf", lambda x: torch.isinf(1 / (x.round())), _t(4, 8)),
            Op("compare", "isfinite", lambda x: torch.isfinite(1 / (x.round())), _t(4, 8)),
            Op("compare", "isclose", lambda a, b: torch.isclose(a, a + b * 1e-6), two),
            Op("compare", "equal_scalar", lambda x: x == 1, _t(4, 8, low=0, high=3), ("int64", "float32"))]

    r = _t(4, 6, 8)
    for name, fn in [("sum", lambda x: x.sum(1)), ("sum_all", torch.sum), ("mean", lambda x: x.mean(-1)),
                     ("prod", lambda x: x.prod(1)), ("amax", lambda x: x.amax((0, 2))), ("amin", lambda x: x.amin(-1)),
                     ("max_dim", lambda x: x.max(1)), ("min_dim", lambda x: x.min(-1)), ("argmax", lambda x: x.argmax(1)),
                     ("argmin", lambda x: x.argmin()), ("std", lambda x: x.std(1)), ("var", lambda x: x.var(-1, correction=0)),
                     ("norm", lambda x: torch.linalg.vector_norm(x, dim=-1)), ("logsumexp", lambda x: x.logsumexp(1)),
                     ("nansum", lambda x: torch.log(x).nansum(-1)), ("median_dim", lambda x: x.median(1)),
                     ("aminmax", lambda x: torch.aminmax(x, dim=1)), ("var_mean", lambda x: torch.var_mean(x, 2)),
                     ("sum_keepdim", lambda x: x.sum(-1, keepdim=True))]:
        ops.append(Op("reduce", name, fn, r, ("float32", "float16", "bfloat16") if name in ("sum", "mean", "amax") else ("float32",)))
    ops += [Op("reduce", "sum_int", lambda x: x.sum(1), r, ("int64", "bool")),
            Op("reduce", "all_any", lambda x: (x.all(1), x.any(-1)), r, ("bool",)),
            Op("reduce", "count_nonzero", lambda x: torch.count_nonzero(x, 1), r, ("int64",)),
            Op("reduce", "amax_int", lambda x: x.amax(1), r, ("int64", "int32"))]

    idx = _with(_t(6, 5), _index(6, 4))
    ops += [Op("index", "index_select", lambda x, i: x.index_select(0, i), idx, ("float32", "int64")),
            Op("index", "getitem_tensor", lambda x, i: x[i], idx),
            Op("index", "getitem_two", lambda x, i: x[i, i[:4] % 5], idx),
            Op("index", "getitem_mask", lambda x, m: x[m], _with(_t(6, 5), _mask(6, 5))),
            Op("index", "gather", lambda x, i: x.gather(1, i.reshape(2, 2) % 5), idx),
            Op("index", "take_along_dim", lambda x, i: torch.take_along_dim(x, (i % 5).reshape(1, 4).expand(6, 4), 1), idx),
            Op("index", "take", lambda x, i: torch.take(x, i * 4), idx),
            Op("index", "embedding", lambda x, i: F.embedding(i, x), idx),
            Op("index", "narrow", lambda x: x.narrow(1, 1, 3), _t(6, 5)),
            Op("index", "select", lambda x: x.select(0, -2), _t(6, 5), ("float32", "int64", "bool")),
            Op("index", "slice_step", lambda x: x[1::2, 1:4:2], _t(6, 5)),
            Op("index", "index_put", lambda x, i: x.index_put((i,), torch.ones(4, 5)), idx),
            Op("index", "index_put_acc", lambda x, i: x.index_put((i,), torch.ones(4, 5), accumulate=True), idx),
            Op("index", "nonzero", lambda x: torch.nonzero(x > 0), _t(6, 5)),
            Op("index", "masked_select", lambda x: torch.masked_select(x, x > 0), _t(6, 5)),
            Op("index", "unique", lambda x: torch.unique(x.round()), _t(6, 5))]

    scat = _with(_t(6, 5), _index(6, 3, 5))
    ops += [Op("scatter", "scatter", lambda x, i: x.scatter(0, i, torch.ones_like(x[:3])), scat, ("float32", "int64")),
            Op("scatter", "scatter_add", lambda x, i: x.scatter_add(0, i, torch.ones(3, 5)), scat),
            Op("scatter", "scatter_reduce_sum", lambda x, i: x.scatter_reduce(0, i, torch.ones(3, 5), "sum"), scat),
            Op("scatter", "scatter_reduce_amax", lambda x, i: x.scatter_reduce(0, i, torch.full((3, 5), 0.5), "amax"), scat),
            Op("scatter", "scatter_value", lambda x, i: x.scatter(0, i, 2.0), scat),
            Op("scatter", "index_add", lambda x, i: x.index_add(0, i[:, 0], torch.ones(3, 5)), scat),
            Op("scatter", "index_copy", lambda x: x.index_copy(0, torch.tensor([4, 0]), torch.ones(2, 5)), _t(6, 5)),
            Op("scatter", "index_fill", lambda x: x.index_fill(1, torch.tensor([1, 3]), -1.0), _t(6, 5)),
            Op("scatter", "masked_fill", lambda x, m: x.masked_fill(m, 0.5), _with(_t(6, 5), _mask(6, 5)), ("float32", "int64")),
            Op("scatter", "masked_scatter", lambda x, m: x.masked_scatter(m, torch.zeros(6, 5)), _with(_t(6, 5), _mask(6, 5)))]

    s = _t(2, 3, 4)
    for name, fn in [("reshape", lambda x: x.reshape(4, 6)), ("permute", lambda x: x.permute(2, 0, 1) + 0),
                     ("transpose", lambda x: x.transpose(0, 2).contiguous()), ("flatten", lambda x: x.flatten(1)),
                     ("unflatten", lambda x: x.unflatten(2, (2, 2))), ("squeeze", lambda x: x.unsqueeze(1).squeeze(1)),
                     ("expand", lambda x: x[:, :1].expand(2, 5, 4) + 0), ("repeat", lambda x: x.repeat(2, 1, 3)),
                     ("tile", lambda x: torch.tile(x, (2,))), ("cat", lambda x: torch.cat([x, x * 2], 1)),
                     ("stack", lambda x: torch.stack([x, -x], -1)), ("split", lambda x: x.split([1, 3], -1)),
                     ("chunk", lambda x: x.chunk(2, -1)), ("flip", lambda x: x.flip(0, 2)), ("roll", lambda x: x.roll(2, 2)),
                     ("rot90", lambda x: torch.rot90(x, 1, (1, 2))), ("movedim", lambda x: x.movedim(0, -1) * 1),
                     ("diagonal", lambda x: x.diagonal(0, 1, 2) * 1), ("tril", lambda x: x.tril()), ("triu", lambda x: x.triu(1)),
                     ("diag_embed", lambda x: torch.diag_embed(x)), ("repeat_interleave", lambda x: x.repeat_interleave(2, 1)),
                     ("unbind", lambda x: x.unbind(1)), ("view_as_real_free", lambda x: x.view(2, 12).t() * 1),
                     ("pad_constant", lambda x: F.pad(x, (1, 2, 0, 1), value=0.5)),
                     ("pad_reflect", lambda x: F.pad(x, (1, 2), mode="reflect")),
                     ("pad_replicate", lambda x: F.pad(x, (1, 2), mode="replicate")),
                     ("pad_circular", lambda x: F.pad(x, (1, 2), mode="circular"))]:
        ops.append(Op("shape", name, fn, s, ("float32", "int64", "bool") if name in ("reshape", "cat", "flip") else ("float32",)))

    img = _t(2, 3, 10, 10)
    ops += [Op("conv", "conv1d", lambda x, w: F.conv1d(x, w, padding=1), _ts((2, 3, 12), (4, 3, 3))),
            Op("conv", "conv2d", lambda x, w: F.conv2d(x, w), _ts((2, 3, 10, 10), (4, 3, 3, 3)), FLOATS),
            Op("conv", "conv2d_stride_dilation", lambda x, w: F.conv2d(x, w, stride=2, dilation=2, padding=2),
               _ts((2, 3, 10, 10), (4, 3, 3, 3))),
            Op("conv", "conv2d_groups", lambda x, w: F.conv2d(x, w, groups=2, padding=1), _ts((1, 4, 8, 8), (6, 2, 3, 3))),
            Op("conv", "conv2d_depthwise", lambda x, w: F.conv2d(x, w, groups=4, padding=1), _ts((1, 4, 8, 8), (4, 1, 3, 3))),
            Op("conv", "conv_transpose2d", lambda x, w: F.conv_transpose2d(x, w, stride=2), _ts((1, 3, 5, 5), (3, 4, 3, 3))),
            Op("conv", "conv3d", lambda x, w: F.conv3d(x, w), _ts((1, 2, 5, 5, 5), (3, 2, 3, 3, 3))),
            Op("pool", "max_pool2d", lambda x: F.max_pool2d(x, 2), img, FLOATS),
            Op("pool", "max_pool2d_stride_pad", lambda x: F.max_pool2d(x, 3, 2, 1), img),
            Op("pool", "avg_pool2d", lambda x: F.avg_pool2d(x, 2), img),
            Op("pool", "avg_pool2d_pad", lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), img),
            Op("pool", "adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (3, 3)), img),
            Op("pool", "adaptive_max_pool2d", lambda x: F.adaptive_max_pool2d(x, (3, 3)), img),
            Op("pool", "max_pool1d", lambda x: F.max_pool1d(x, 2), _t(2, 3, 10)),
            Op("pool", "avg_pool1d", lambda x: F.avg_pool1d(x, 3, 1), _t(2, 3, 10)),
            Op("pool", "interpolate_nearest", lambda x: F.interpolate(x, scale_factor=2), img),
            Op("pool", "interpolate_bilinear", lambda x: F.interpolate(x, size=(7, 13), mode="bilinear"), img),
            Op("pool", "pixel_shuffle", lambda x: F.pixel_shuffle(x, 2), _t(1, 8, 3, 3))]

    ops += [Op("norm", "layer_norm", lambda x, w: F.layer_norm(x, (8,), w, w * 0.5), _ts((4, 8), (8,)), FLOATS),
            Op("norm", "group_norm", lambda x: F.group_norm(x, 2), _t(2, 4, 5, 5)),
            Op("norm", "batch_norm_eval", lambda x, m: F.batch_norm(x, m, m.abs() + 0.5), _ts((2, 4, 5, 5), (4,))),
            Op("norm", "batch_norm_train", lambda x: F.batch_norm(x, None, None, training=True), _t(2, 4, 5, 5)),
            Op("norm", "instance_norm", lambda x: F.instance_norm(x), _t(2, 4, 5, 5)),
            Op("norm", "rms_norm", lambda x, w: F.rms_norm(x, (8,), w), _ts((4, 8), (8,))),
            Op("norm", "normalize", lambda x: F.normalize(x, dim=-1), _t(4, 8)),
            Op("norm", "local_response_norm", lambda x: F.local_response_norm(x, 3), _t(1, 6, 4, 4)),
            Op("norm", "softmax", lambda x: x.softmax(-1), _t(4, 8), FLOATS),
            Op("norm", "log_softmax", lambda x: x.log_softmax(0), _t(4, 8))]

    ops += [Op("matmul", "mm", torch.mm, _ts((5, 7), (7, 3)), ("float32", "float16", "bfloat16", "int64")),
            Op("matmul", "bmm", torch.bmm, _ts((2, 5, 7), (2, 7, 3))),
            Op("matmul", "matmul_broadcast", torch.matmul, _ts((2, 1, 5, 7), (3, 7, 4))),
            Op("matmul", "addmm", lambda a, b, c: torch.addmm(a, b, c, beta=0.5, alpha=2.0), _ts((5, 3), (5, 7), (7, 3))),
            Op("matmul", "baddbmm", torch.baddbmm, _ts((2, 5, 3), (2, 5, 7), (2, 7, 3))),
            Op("matmul", "linear", F.linear, _ts((5, 7), (3, 7), (3,)), FLOATS),
            Op("matmul", "einsum", lambda a, b: torch.einsum("bij,bkj->bik", a, b), _ts((2, 4, 5), (2, 3, 5))),
            Op("matmul", "outer", torch.outer, _ts((5,), (4,))),
            Op("matmul", "dot", torch.dot, _ts((7,), (7,))),
            Op("matmul", "mv", torch.mv, _ts((5, 7), (7,))),
            Op("matmul", "tensordot", lambda a, b: torch.tensordot(a, b, dims=([1, 2], [0, 1])), _ts((3, 4, 5), (4, 5, 2))),
            Op("matmul", "cdist", torch.cdist, _ts((5, 3), (4, 3))),
            Op("matmul", "sdpa", F.scaled_dot_product_attention, _ts((1, 2, 6, 8), (1, 2, 6, 8), (1, 2, 6, 8))),
            Op("matmul", "sdpa_causal", lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
               _ts((1, 2, 6, 8), (1, 2, 6, 8), (1, 2, 6, 8)))]

    c, d = _t(4, 9), _distinct(4, 9)
    ops += [Op("scan", "cumsum", lambda x: x.cumsum(1), c, ("float32", "float16", "int64")),
            Op("scan", "cumprod", lambda x: x.cumprod(-1), _t(4, 9, low=0.5, high=1.5)),
            Op("scan", "cummax", lambda x: x.cummax(1), d),
            Op("scan", "cummin", lambda x: x.cummin(0), d),
            Op("scan", "logcumsumexp", lambda x: x.logcumsumexp(1), c),
            Op("sort", "sort", lambda x: x.sort(-1), d, ("float32", "int64")),
            Op("sort", "sort_descending", lambda x: x.sort(0, descending=True), d),
            Op("sort", "argsort", lambda x: x.argsort(1), d),
            Op("sort", "topk", lambda x: x.topk(3, -1), d, ("float32", "int64")),
            Op("sort", "topk_smallest", lambda x: x.topk(2, 0, largest=False), d),
            Op("sort", "kthvalue", lambda x: x.kthvalue(2, 1), d),
            Op("sort", "msort", torch.msort, d)]

    for target in ("float16", "bfloat16", "int64", "int32", "uint8", "int8", "bool", "float64"):
        ops.append(Op("cast", f"float_to_{target}", lambda x, t=target: (x * 4).to(getattr(torch, t)), _t(4, 8)))
    ops += [Op("cast", "int_to_float", lambda x: x.float() / 3, _t(4, 8), ("int64", "int32")),
            Op("cast", "bool_to_float", lambda x: x.float() + 1, _t(4, 8), ("bool",)),
            Op("cast", "half_to_float", lambda x: x.float() * 3, _t(4, 8), ("float16", "bfloat16")),
            Op("cast", "type_promotion", lambda x: x + torch.arange(8), _t(4, 8), ("float16", "int32", "bool"))]
    return ops


OPS = _table()


def cases(family: str | None = None, dtype: str | None = None) -> list[Case]:
    """Every (op, dtype) of the table, with its inputs (drawn from a generator seeded by its name)."""
    out = []
    for op in OPS:
        if family and op.family != family:
            continue
        for d in op.dtypes:
            if dtype and d != dtype:
                continue
            gen = torch.Generator().manual_seed(zlib.crc32(f"{op.family}-{op.name}-{d}".encode()))
            out.append(Case(op, d, op.make(d, gen)))
    return out


def tolerances(case: Case) -> dict:
    """assert_close's defaults, but f16/bf16 at the numerics policy's 2e-2 (ember computes in f32
    and rounds once; eager's kernels differ among themselves by an ulp)."""
    if case.dtype in ("float16", "bfloat16"):
        return {"rtol": 2e-2, "atol": 2e-2}
    return {}


def assert_matches(result, expected, case: Case) -> None:
    torch.testing.assert_close(result, expected, equal_nan=True, **tolerances(case))


def outcome(case: Case) -> tuple[str, str]:
    """(compiled | fell back | failed | eager raises, detail) of one case."""
    import ember
    from ember.errors import EmberError
    from ember.partition import PartlyCompiled

    try:
        expected = case.op.fn(*case.inputs)
    except Exception as e:
        return "eager raises", f"{type(e).__name__}"
    try:
        compiled = ember.compile(case.op.fn, case.inputs, fallback="error")
        why = ""
    except EmberError as e:
        why = f"{type(e).__name__}: {_first_line(e)}"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compiled = ember.compile(case.op.fn, case.inputs)
        except EmberError as e2:
            return "failed", f"{type(e2).__name__}: {_first_line(e2)}"
    try:
        assert_matches(compiled(*case.inputs), expected, case)
    except Exception as e:
        return "failed", f"differs from eager: {_first_line(e)}"
    if isinstance(compiled, PartlyCompiled):
        return "fell back", f"{len(compiled.eager)} eager ops ({why})"
    return "compiled", ""


def _first_line(e: BaseException) -> str:
    lines = [line.strip() for line in str(e).strip().splitlines() if line.strip()]
    detail = next((line for line in lines if line.startswith("unsupported op")), lines[0] if lines else "")
    return detail[:150]


def table(selected: list[Case], log=print) -> dict:
    """Runs the cases, printing a line each; returns the counts per status."""
    counts = {}
    width = max((len(str(c)) for c in selected), default=10)
    for case in selected:
        status, detail = outcome(case)
        counts[status] = counts.get(status, 0) + 1
        log(f"{str(case):<{width}}  {status:<12} {detail}")
    total = sum(counts.values())
    log(f"\n{total} cases, {len({(c.op.family, c.op.name) for c in selected})} ops: "
        + ", ".join(f"{counts.get(s, 0)} {s}" for s in ("compiled", "fell back", "failed", "eager raises")))
    return counts


