"""Differential fuzzing against eager: random small models from a grammar, compiled by ember
and run on data with special values; each outcome must be eager's result (assert_close, NaN
positions equal) or an EmberError of the class eager raises.

The grammar: float chains of elementwise ops with broadcasts, reductions over random dims,
matmul, reshapes/permutes/slices/concat, softmax, in-place updates of an input; index ops with
in- and out-of-range indices; integer division and remainder with zero divisors and INT_MIN;
layers: convolutions (groups, strides, padding, dilation), pooling, linear, casts through
f16/bf16/int/bool/f64, reductions past the split threshold, scatters with wild indices.
Values include NaN, ±inf, -0, denormals and large magnitudes. (MLIR's verifier runs after every
pass of every compile: ember runs each pass in a PassManager of its own, which verifies.)

CI runs a seeded, bounded sample (`EMBER_FUZZ_EXAMPLES`, default 100 per family, 60 layers); a
long run:

    EMBER_FUZZ_EXAMPLES=5000 .venv/bin/pytest test/python/test_fuzz.py -p no:cacheprovider

Every failure it found is a named regression test in test_trust.py.
"""

import os

import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

import ember

EXAMPLES = int(os.environ.get("EMBER_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="EMBER_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=list(HealthCheck), database=None)

SPECIAL = [float("nan"), float("inf"), float("-inf"), -0.0, 0.0, 1e-40, -1e-40, 1e30, -1e30, 1.0, -1.0]

UNARY = {
    "relu": torch.relu, "tanh": torch.tanh, "exp": torch.exp, "sigmoid": torch.sigmoid, "abs": torch.abs,
    "neg": torch.neg, "log1p": lambda x: torch.log1p(x.abs()), "expm1": torch.expm1,
    "sqrt": lambda x: torch.sqrt(x.abs()), "square": lambda x: x * x, "floor": torch.floor,
    "clamp": lambda x: torch.clamp(x, -1.0, 1.0), "gelu": torch.nn.functional.gelu, "erf": torch.erf,
    "reciprocal": torch.reciprocal, "pow2": lambda x: x ** 2,
}
BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "maximum": torch.maximum,
    "minimum": torch.minimum, "where": lambda a, b: torch.where(a > 0, a, b),
}


def _reduce(kind, dim, keepdim):
    def apply(x):
        if x.dim() == 0:
            return x
        d = dim % x.dim()
        return {"sum": torch.sum, "mean": torch.mean, "amax": torch.amax, "amin": torch.amin}[kind](x, d, keepdim)
    return apply


def _reshape(kind, k):
    def apply(x):
        if kind == "flatten":
            return x.reshape(-1)
        if x.dim() < 2:
            return x
        if kind == "transpose":
            return x.transpose(-1, -2)
        if kind == "slice":
            return x[..., : max(1, x.shape[-1] - k)]
        if kind == "cat":
            return torch.cat([x, x * 2], dim=-1)
        return torch.softmax(x, -1)
    return apply


@st.composite
def float_programs(draw):
    """(function, example inputs, test inputs): a chain of ops over 1 or 2 inputs."""
    rank = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 6), min_size=rank, max_size=rank)))
    # The second input broadcasts: some of its dims are 1 (or it has fewer dims).
    other = tuple(1 if draw(st.booleans()) else s for s in shape)[draw(st.integers(0, rank - 1)):]
    steps = []
    for _ in range(draw(st.integers(1, 5))):
        family = draw(st.sampled_from(["unary", "binary", "reduce", "reshape", "matmul"]))
        if family == "unary":
            steps.append(("unary", draw(st.sampled_from(sorted(UNARY)))))
        elif family == "binary":
            steps.append(("binary", draw(st.sampled_from(sorted(BINARY)))))
        elif family == "reduce":
            steps.append(("reduce", draw(st.sampled_from(["sum", "mean", "amax", "amin"])),
                          draw(st.integers(-3, 2)), draw(st.booleans())))
        elif family == "reshape":
            steps.append(("reshape", draw(st.sampled_from(["flatten", "transpose", "slice", "cat", "softmax"])),
                          draw(st.integers(0, 3))))
        else:
            steps.append(("matmul",))
    mutate = draw(st.booleans())

    def model(x, y):
        if mutate:
            x.mul_(2)
        value = x
        for step in steps:
            if step[0] == "unary":
                value = UNARY[step[1]](value)
            elif step[0] == "binary":
                try:
                    torch.broadcast_shapes(value.shape, y.shape)
                    value = BINARY[step[1]](value, y)
                except RuntimeError:
                    value = BINARY[step[1]](value, value)
            elif step[0] == "reduce":
                value = _reduce(*step[1:])(value)
            elif step[0] == "reshape":
                value = _reshape(*step[1:])(value)
            elif value.dim() >= 2:
                value = value @ value.transpose(-1, -2)
        return value

    def data(special: bool):
        def tensor(s):
            t = torch.randn(s)
            if special:
                flat = t.view(-1)
                for i in range(flat.numel()):
                    if draw(st.integers(0, 3)) == 0:
                        flat[i] = draw(st.sampled_from(SPECIAL))
            return t
        return (tensor(shape), tensor(other))

    model.__name__ = "fuzz_" + "_".join(str(s[1]) if len(s) > 1 else s[0] for s in steps)
    return model, data(False), data(True)


def check_same_outcome(model, example, inputs, target="cpu"):
    compiled = ember.compile(model, tuple(t.clone() for t in example), fallback="error", target=target)
    mine, theirs = [t.clone() for t in inputs], [t.clone() for t in inputs]
    try:
        expected = model(*theirs)
    except Exception as e:
        with pytest.raises(type(e)) as info:
            compiled(*mine)
        assert isinstance(info.value, ember.EmberError)
        return
    torch.testing.assert_close(compiled(*mine), expected, equal_nan=True)
    for got, want in zip(mine, theirs):  # in-place updates of inputs match too
        torch.testing.assert_close(got, want, equal_nan=True)


@FUZZ
@seed(20261125)
@given(float_programs())
def test_float_programs_match_eager(program):
    model, example, inputs = program
    check_same_outcome(model, example, inputs)


INDEX_OPS = {
    "getitem": lambda x, i: x[i],
    "index_select": lambda x, i: torch.index_select(x, 0, i),
    "embedding": lambda x, i: torch.nn.functional.embedding(i, x),
    "gather": lambda x, i: torch.gather(x, 0, i.reshape(-1, 1).expand(-1, x.shape[1]).contiguous()),
}


@st.composite
def index_programs(draw):
    rows, cols = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    count = draw(st.integers(1, 5))
    op = draw(st.sampled_from(sorted(INDEX_OPS)))
    choices = st.integers(0, rows - 1) if op == "embedding" else st.integers(-rows, rows - 1)
    if op in ("gather", "embedding", "index_select"):
        choices = st.integers(0, rows - 1)
    valid = draw(st.lists(choices, min_size=count, max_size=count))
    wild = st.sampled_from([rows, rows + 3, -rows - 1, 10**6, -(10**6), 2**40])
    trial = [draw(wild) if draw(st.integers(0, 2)) == 0 else v for v in valid]
    fn = INDEX_OPS[op]
    model = lambda x, i: fn(x, i) * 2 + 1  # noqa: E731
    model.__name__ = f"fuzz_{op}"
    x = torch.randn(rows, cols)
    return model, (x, torch.tensor(valid)), (x, torch.tensor(trial))


@FUZZ
@seed(20261126)
@given(index_programs())
def test_index_programs_match_eager(program):
    model, example, inputs = program
    check_same_outcome(model, example, inputs)


INTEGER_OPS = {
    "floor_divide": lambda a, b: a // b, "remainder": lambda a, b: a % b, "fmod": torch.fmod,
    "trunc_divide": lambda a, b: torch.div(a, b, rounding_mode="trunc"),
    # wrapping arithmetic on the full range (torch-mlir negated integers in f32 until builtin_ops)
    "neg_abs": lambda a, b: -a + b.abs(), "mul_sub": lambda a, b: a * b - a, "shifts": lambda a, b: (a << b) ^ (a >> b),
}
INT64 = torch.iinfo(torch.int64)


@st.composite
def integer_programs(draw):
    op = draw(st.sampled_from(sorted(INTEGER_OPS)))
    dtype = draw(st.sampled_from([torch.int64, torch.int32]))
    info = torch.iinfo(dtype)
    count = draw(st.integers(1, 6))
    values = st.one_of(st.integers(-100, 100), st.sampled_from([info.min, info.max, 0, 2**20 + 1]),
                       st.integers(info.min, info.max))
    a = draw(st.lists(values, min_size=count, max_size=count))
    b = draw(st.lists(st.one_of(st.integers(-9, 9), st.sampled_from([info.max, info.min + 1])),
                      min_size=count, max_size=count))
    if op == "trunc_divide":  # eager itself dies of SIGFPE on INT_MIN / -1 here
        b = [1 if (x == info.min and y == -1) else y for x, y in zip(a, b)]
    fn = INTEGER_OPS[op]
    model = lambda x, y: fn(x, y) + 1  # noqa: E731
    model.__name__ = f"fuzz_{op}"
    example = (torch.tensor([7] * count, dtype=dtype), torch.tensor([3] * count, dtype=dtype))
    return model, example, (torch.tensor(a, dtype=dtype), torch.tensor(b, dtype=dtype))


@FUZZ
@seed(20261127)
@given(integer_programs())
def test_integer_programs_match_eager(program):
    model, example, inputs = program
    check_same_outcome(model, example, inputs)


CASTS = [torch.float16, torch.bfloat16, torch.int32, torch.int64, torch.bool, torch.float64]


@st.composite
def layer_programs(draw):
    """Convolutions and pooling with random geometry, linear layers, casts through other dtypes,
    long reductions (past ember-split-reductions' threshold) and scatters with wild indices."""
    kind = draw(st.sampled_from(["conv", "pool", "linear", "cast", "long_reduce", "scatter"]))
    if kind == "conv":
        groups = draw(st.sampled_from([1, 1, 2, 4]))
        cin, cout = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
        k, stride, padding, dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(0, 2)),
                                        draw(st.integers(1, 2)))
        size = draw(st.integers(dilation * (k - 1) + 1, 9))
        weight, bias = torch.randn(cout, cin // groups, k, k), torch.randn(cout)
        # Well-conditioned activations only: a sum whose order differs sits next to 1/x's pole
        # or floor's steps (ember and eager may then both be right and still disagree).
        act = draw(st.sampled_from(["relu", "tanh", "sigmoid", "abs", "neg", "gelu", "erf", "clamp"]))

        def model(x):
            return UNARY[act](F.conv2d(x, weight, bias, stride, padding, dilation, groups))
        shape = (draw(st.integers(1, 2)), cin, size, size)
    elif kind == "pool":
        op = draw(st.sampled_from(["max", "avg", "adaptive"]))
        k, stride = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        shape = (1, draw(st.integers(1, 4)), draw(st.integers(k, 9)), draw(st.integers(k, 9)))

        def model(x):
            if op == "max":
                return F.max_pool2d(x, k, stride)
            if op == "avg":
                return F.avg_pool2d(x, k, stride)
            return F.adaptive_avg_pool2d(x, 1)
    elif kind == "linear":
        features, out = draw(st.integers(1, 40)), draw(st.integers(1, 40))
        weight, bias = torch.randn(out, features), torch.randn(out)
        shape = (draw(st.integers(1, 5)), features)

        def model(x):
            return torch.relu(F.linear(x, weight, bias))
    elif kind == "cast":
        through = draw(st.sampled_from(CASTS))
        shape = tuple(draw(st.lists(st.integers(1, 6), min_size=1, max_size=3)))

        def model(x):
            return (x * 3).to(through).to(torch.float32) + 1
    elif kind == "long_reduce":
        op = draw(st.sampled_from(["sum", "mean", "norm", "softmax", "logsumexp", "var"]))
        shape = (draw(st.integers(1, 3)), draw(st.sampled_from([4097, 6000, 10000, 16384, 30000])))

        def model(x):
            if op == "norm":
                return torch.linalg.vector_norm(x, dim=-1)
            if op == "softmax":
                return torch.softmax(x, -1)
            if op == "logsumexp":
                return torch.logsumexp(x, -1)
            return getattr(torch, op)(x, -1)
    else:
        rows, cols = draw(st.integers(1, 5)), draw(st.integers(1, 4))
        count = draw(st.integers(1, 4))
        valid = draw(st.lists(st.integers(0, rows - 1), min_size=count, max_size=count))
        trial = [draw(st.sampled_from([rows, -1, 10**6])) if draw(st.integers(0, 2)) == 0 else v for v in valid]
        reduce = draw(st.sampled_from(["scatter", "scatter_add", "index_add"]))

        def model(x, i):
            source = torch.ones(i.shape[0], x.shape[1])
            if reduce == "index_add":
                return x.index_add(0, i, source)
            index = i.reshape(-1, 1).expand(-1, x.shape[1]).contiguous()
            return getattr(x, reduce)(0, index, source)
        x = torch.randn(rows, cols)
        model.__name__ = f"fuzz_{reduce}"
        return model, (x, torch.tensor(valid)), (x, torch.tensor(trial))
    model.__name__ = f"fuzz_{kind}"
    example = torch.randn(shape)
    # Large magnitudes where nothing sums them (casts, pooling): a sum of products of 100s
    # differs from eager's by its order alone beyond assert_close's f32 tolerance.
    scale = draw(st.sampled_from([1.0, 100.0])) if kind in ("cast", "pool") else 1.0
    return model, (example,), (torch.randn(shape) * scale,)


@settings(FUZZ, max_examples=max(1, EXAMPLES * 3 // 5))  # each compiles a conv or a long reduction
@seed(20261201)
@given(layer_programs())
def test_layer_programs_match_eager(program):
    model, example, inputs = program
    check_same_outcome(model, example, inputs)


# The same grammars on the cuda target's mapped kernels, run by its host emulation: the GPU
# passes' index math, guards, shared-memory tiles and barriers against eager (fewer examples).
GPU_FUZZ = settings(FUZZ, max_examples=max(1, EXAMPLES // 5))


@pytest.mark.parametrize("grammar", [float_programs, layer_programs, index_programs], ids=lambda g: g.__name__)
@GPU_FUZZ
@seed(20261202)
@given(data=st.data())
def test_programs_match_eager_on_the_emulated_gpu(grammar, data):
    model, example, inputs = data.draw(grammar())
    check_same_outcome(model, example, inputs, target="cuda-emulated")
