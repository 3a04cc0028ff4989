"""Random ops (issue: eager's answer or an EmberError; RNG part): every call draws fresh numbers,
from a seed that torch's default generator gives per call, with eager's distributions.

Bit equality with eager is not the aim; the statistics are. Each sample has 2^20 elements and
each check allows 6 standard errors of its statistic, so a check that holds for the right
distribution fails about once in 10^8 runs. Every check is made on eager's sample too: the
expectations are eager's, not ember's. Checks also fail when numbers repeat: call 2 equal or
correlated to call 1, neighbouring elements correlated, all elements equal, one op's draws
equal to another's.
"""

import math
import re
import os
import subprocess
import sys
import threading

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import ember
from ember.runtime.native import Abi

N = 1 << 20
SIGMAS = 6


# -- statistics ------------------------------------------------------------------------------------


def _flat(sample) -> torch.Tensor:
    return sample.detach().double().flatten()


def assert_moments(sample, mean, std, kurtosis, what):
    """Sample mean and variance within 6 standard errors (the variance's from the kurtosis)."""
    values = _flat(sample)
    n = values.numel()
    assert torch.isfinite(values).all(), f"{what}: non-finite values"
    m, v = values.mean().item(), values.var().item()
    assert abs(m - mean) < SIGMAS * std / math.sqrt(n), f"{what}: mean {m}, expected {mean}"
    tolerance = SIGMAS * std**2 * math.sqrt((kurtosis - 1) / n)
    assert abs(v - std**2) < tolerance, f"{what}: variance {v}, expected {std**2} ± {tolerance}"


def assert_frequency(hits, total, p, what):
    """`hits` out of `total` Bernoulli(p) trials."""
    tolerance = SIGMAS * math.sqrt(p * (1 - p) / total) + 1e-12
    assert abs(hits / total - p) <= tolerance, f"{what}: frequency {hits / total}, expected {p} ± {tolerance}"


def assert_uniform_histogram(sample, low, high, what, bins=16, expected=None):
    """Counts in `bins` equal bins within 6 standard errors of `expected` (bin probabilities,
    equal by default)."""
    values = _flat(sample)
    counts = torch.histc(values, bins=bins, min=low, max=high)
    assert counts.sum().item() == values.numel(), f"{what}: values outside [{low}, {high}]"
    for i, count in enumerate(counts.tolist()):
        chance = 1 / bins if expected is None else expected[i]
        assert_frequency(count, values.numel(), chance, f"{what}, bin {i}")


def assert_uncorrelated(a, b, what):
    x, y = _flat(a), _flat(b)
    r = torch.corrcoef(torch.stack([x, y]))[0, 1].item()
    assert abs(r) < SIGMAS / math.sqrt(x.numel()), f"{what}: correlation {r}"  # NaN (a constant) fails too


def assert_fresh(first, second, what):
    """Call 2 is not call 1, and neither repeats values along the elements."""
    assert not torch.equal(first, second), f"{what}: call 2 repeated call 1"
    assert_uncorrelated(first, second, f"{what}, call 1 vs call 2")
    flat = first.flatten()
    assert_uncorrelated(flat[:-1], flat[1:], f"{what}, neighbouring elements")


def grid_moments(digits):
    """Mean and standard deviation of the uniform on {0, ..., 2^d - 1} / 2^d (eager's rand)."""
    size = 2.0**digits
    return (size - 1) / (2 * size), math.sqrt((size * size - 1) / (12 * size * size))


def eager_rand_values(dtype) -> torch.Tensor:
    """Every value that eager's rand in float16 or bfloat16 can draw, each as likely: it draws on
    float32's grid and rounds, and a value that rounds to 1 becomes 0."""
    values = (torch.arange(2**24, dtype=torch.float32) / 2**24).to(dtype).double()
    values[values == 1] = 0
    return values


def _calls(fn, inputs, calls=2):
    """Two calls of the compiled fn and two of eager's, each a tuple of outputs."""
    compiled = ember.compile(fn, inputs)
    as_tuple = lambda r: r if isinstance(r, tuple) else (r,)  # noqa: E731
    return ([as_tuple(compiled(*inputs)) for _ in range(calls)],
            [as_tuple(fn(*inputs)) for _ in range(calls)])


def _both(fn, inputs):
    """(name, call 1, call 2) for ember's and for eager's results."""
    ember_calls, eager_calls = _calls(fn, inputs)
    return [("ember", *ember_calls), ("eager", *eager_calls)]


# -- how ember draws -------------------------------------------------------------------------------


def test_the_seed_is_the_callers_not_a_global_of_the_code():
    compiled = ember.compile(lambda x: F.dropout(x, 0.5, training=True) + torch.rand(8), (torch.ones(8),))
    assert "ml_program.global" in compiled.ir("linalg")  # torch-mlir's state ...
    assert "global_seed" not in compiled.ir("fused")  # ... is gone after ember-caller-seed
    assert "{ember.seed}" in compiled.ir("llvm") and "global_seed" not in compiled.ir("llvm")
    assert compiled.artifact.abi.seeded
    plain = ember.compile(lambda x: x + 1, (torch.ones(8),))
    assert not plain.artifact.abi.seeded and "ember.seed" not in plain.ir("llvm")
    # An artifact saved before seeds were part of the ABI has no "seeded" entry.
    assert not Abi.from_json({"entry": "e", "arena_size": 0, "uses_openmp": False, "errors": []}).seeded


def test_manual_seed_makes_draws_reproducible():
    x = torch.randn(1000)

    def model(x):
        return F.dropout(x, 0.5, training=True) + torch.rand(1000), torch.randn(1000)

    compiled = ember.compile(model, (x,))
    torch.manual_seed(7)
    first, second = compiled(x), compiled(x)
    after = torch.rand(3)  # a call draws its seed from torch's generator: eager's next numbers move on
    torch.manual_seed(7)
    assert all(torch.equal(a, b) for a, b in zip(first, compiled(x)))
    assert all(torch.equal(a, b) for a, b in zip(second, compiled(x)))
    assert not any(torch.equal(a, b) for a, b in zip(first, second))
    assert not torch.equal(first[0], first[1][: 1000])  # the two ops draw different numbers
    torch.manual_seed(7)
    assert not torch.equal(after, torch.rand(3))
    again = ember.compile(model, (x,))  # another compile: the same seed, the same numbers
    torch.manual_seed(7)
    assert all(torch.equal(a, b) for a, b in zip(first, again(x)))
    torch.manual_seed(8)
    assert not any(torch.equal(a, b) for a, b in zip(first, again(x)))


LOAD_AND_DRAW = r"""
import sys
sys.modules["mlir"] = None  # a loaded artifact runs without MLIR
sys.modules["torch_mlir"] = None
import torch, ember
torch.manual_seed(int(sys.argv[2]))
model = ember.load(sys.argv[1])
x = torch.ones(64)
print(" ".join(repr(v) for call in range(2) for v in model(x).tolist()))
"""

NUMPY_ONLY = r"""
import sys
sys.modules["torch"] = None  # no torch: the seed comes from numpy's global generator
import numpy, ember
model = ember.load(sys.argv[1])
x = numpy.ones(64, dtype=numpy.float32)
numpy.random.seed(3)
first, second = model(x), model(x)
numpy.random.seed(3)
again = model(x)
assert (first == again).all() and not (first == second).all(), (first, second, again)
assert 0 <= first.min() and first.max() < 2
print("ok")
"""


def test_seeded_draws_are_the_same_in_other_processes_and_after_save_and_load(tmp_path):
    compiled = ember.compile(lambda x: x + torch.rand(64), (torch.ones(64),))
    path = tmp_path / "rand.ember"
    compiled.save(path)
    script = tmp_path / "draw.py"
    script.write_text(LOAD_AND_DRAW)

    def draws(seed):
        done = subprocess.run([sys.executable, str(script), str(path), str(seed)], capture_output=True,
                              text=True, check=True)
        return [float(v) for v in done.stdout.split()]

    first, second, other = draws(11), draws(11), draws(12)
    assert first == second and first != other
    torch.manual_seed(11)
    here = [v for _ in range(2) for v in compiled(torch.ones(64)).tolist()]
    assert here == first  # compiled here, loaded there: the same seed, the same numbers
    assert first[:64] != first[64:]  # and two calls differ
    numpy_script = tmp_path / "numpy_only.py"
    numpy_script.write_text(NUMPY_ONLY)
    done = subprocess.run([sys.executable, str(numpy_script), str(path)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_calls_from_several_threads_draw_different_numbers():
    compiled = ember.compile(lambda x: x + torch.rand(256), (torch.zeros(256),))
    results, errors = [], []

    def worker():
        try:
            for _ in range(100):
                results.append(compiled(torch.zeros(256)))
        except Exception as e:  # reported in the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert len({r.numpy().tobytes() for r in results}) == 400


C_PROGRAM = r"""
#include <stdio.h>
#include <string.h>
#include "model.h"

int main(void) {
    float input[64] = {0}, a[64], b[64], c[64], d[64];
    const void *inputs[] = {input};
    void *outputs[4][1] = {{a}, {b}, {c}, {d}};
    model_context *context = model_create(1);
    if (model_run(context, inputs, outputs[0]) || model_run(context, inputs, outputs[1])) return 2;
    model_seed(context, 5);
    if (model_run(context, inputs, outputs[2])) return 2;
    model_seed(context, 5);
    if (model_run(context, inputs, outputs[3])) return 2;
    model_destroy(context);
    for (int i = 0; i < 64; i++) if (a[i] < 0 || a[i] >= 1) return 3;
    printf("%d %d\n", memcmp(a, b, sizeof a) != 0, memcmp(c, d, sizeof c) == 0);
    return 0;
}
"""


def test_exported_c_library_draws_per_run_from_its_contexts_seed(tmp_path):
    from ember.runtime.artifact import read
    from ember.runtime.c_export import export

    compiled = ember.compile(lambda x: x + torch.rand(64), (torch.zeros(64),))
    compiled.save(tmp_path / "rand.ember")
    library, header = export(read(tmp_path / "rand.ember"), tmp_path / "lib", name="model")
    assert "void model_seed(model_context *context, uint64_t seed);" in open(header).read()
    source = tmp_path / "main.c"
    source.write_text(C_PROGRAM)
    program = tmp_path / "main"
    subprocess.run(["cc", "-O2", "-Wall", "-Werror", "-I", str(tmp_path / "lib"), str(source), "-L",
                    str(tmp_path / "lib"), "-lmodel", f"-Wl,-rpath,{tmp_path / 'lib'}", "-o", str(program)],
                   check=True)
    done = subprocess.run([str(program)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.split() == ["1", "1"], (done.returncode, done.stdout)


def test_a_pipeline_that_keeps_the_global_seed_is_refused():
    from ember.passes.pipelines import CPU_STAGES

    text = ",".join(stage.text for stage in CPU_STAGES).replace("ember-caller-seed,", "")
    with pytest.raises(ember.EmberError, match="run ember-caller-seed"):
        ember.compile(lambda x: x + torch.rand(8), (torch.ones(8),), pipeline=f"builtin.module({text})",
                      isolate=False)


def test_a_generator_of_the_models_own_is_refused():
    generator = torch.Generator().manual_seed(1)
    with pytest.raises(ember.CaptureError, match="aten.rand draws from a generator of its own"):
        ember.compile(lambda x: x + torch.rand(8, generator=generator), (torch.ones(8),))


@pytest.mark.parametrize("fn, op", [
    (lambda x: torch.poisson(x), "aten.poisson"),
    (lambda x: torch.randint(0, 2**60, (8,)), "more than 2\\^53 values"),
])
def test_unsupported_random_ops_raise_naming_the_op(fn, op):
    with pytest.raises(ember.EmberError, match=op):
        ember.compile(fn, (torch.ones(8),), fallback="error")


# -- uniform -----------------------------------------------------------------------------------------


# Each draw compiles to a counter-based generator that LLVM takes seconds to compile: one draw
# per dtype, between rand and rand_like (which share their lowering), keeps the tests short.
def _uniforms(x, i):
    return (torch.rand(N), torch.rand(N, dtype=torch.float64), torch.rand_like(x, dtype=torch.float16),
            torch.rand_like(x, dtype=torch.bfloat16), torch.rand_like(x.half()), torch.rand_like(i, dtype=torch.float32))


_UNIFORM_DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.float16, torch.float32]
def test_rand_and_rand_like_in_every_float_dtype():
    # rand_like with a dtype once came out wrong (and of an integer tensor did not lower); float16
    # and bfloat16 draws rounded to 1.0. Eager's float32 and float64 draws lie on the grid
    # k / 2^d of the dtype's d significant bits, k < 2^d; float16 and bfloat16 on float32's,
    # rounded (a 1 becomes 0): so do ember's, with the same mean and spread.
    x, i = torch.zeros(N), torch.zeros(N, dtype=torch.int64)
    moments = {torch.float32: grid_moments(24), torch.float64: grid_moments(53)}
    histograms = {}
    for dtype in (torch.float16, torch.bfloat16):
        values = eager_rand_values(dtype)
        moments[dtype] = values.mean().item(), values.std().item()
        histograms[dtype] = (torch.histc(values, bins=16, min=0, max=1) / values.numel()).tolist()
    for who, first, second in _both(_uniforms, (x, i)):
        assert [t.dtype for t in first] == _UNIFORM_DTYPES, who
        for k, (a, b) in enumerate(zip(first, second)):
            what = f"{who} draw {k} ({a.dtype})"
            assert a.shape == (N,) and a.min() >= 0 and a.max() < 1, what
            if a.dtype in (torch.float32, torch.float64):
                scaled = a.double() * 2.0 ** {torch.float32: 24, torch.float64: 53}[a.dtype]
                assert torch.equal(scaled, scaled.floor()), f"{what}: not on eager's grid"
                assert a.unique().numel() > 0.95 * N, f"{what}: values repeat"
            mean, std = moments[a.dtype]
            assert_moments(a, mean, std, 1.8, what)
            assert_uniform_histogram(a, 0.0, 1.0, what, expected=histograms.get(a.dtype))
            assert_fresh(a, b, what)
        assert_uncorrelated(first[0], first[5], f"{who}: rand and rand_like in one call")


def test_uniform_in_place():
    def model(x):
        return x.clone().uniform_(-2.0, 3.0), x.double().uniform_(10.0, 11.0), x.half().uniform_(-1.0, 1.0)

    for who, first, second in _both(model, (torch.zeros(N),)):
        for (a, b), (low, high) in zip(zip(first, second), [(-2, 3), (10, 11), (-1, 1)]):
            what = f"{who} uniform_({low}, {high}) {a.dtype}"
            assert a.min() >= low and a.max() <= high, what
            assert_moments(a, (low + high) / 2, (high - low) / math.sqrt(12), 1.8, what)
            assert_uniform_histogram(a, low, high, what)
            assert_fresh(a, b, what)


# -- normal ------------------------------------------------------------------------------------------


def _normals(x):
    return (torch.randn(N), torch.randn(N, dtype=torch.bfloat16), torch.randn_like(x, dtype=torch.float16),
            torch.randn_like(x, dtype=torch.float64))


def test_randn_and_randn_like_in_every_float_dtype():
    x = torch.zeros(N)
    for who, first, second in _both(_normals, (x,)):
        assert [t.dtype for t in first] == [torch.float32, torch.bfloat16, torch.float16, torch.float64], who
        for k, (a, b) in enumerate(zip(first, second)):
            what = f"{who} randn {k} ({a.dtype})"
            assert_moments(a, 0.0, 1.0, 3.0, what)  # finite too: float16's draws once overflowed
            assert_frequency((a.double().abs() > 2).sum().item(), N, math.erfc(2 / math.sqrt(2)), f"{what}, |z| > 2")
            assert_frequency((a > 0).sum().item(), N, 0.5, f"{what}, z > 0")
            assert_fresh(a, b, what)
        assert_uncorrelated(first[0], first[3], f"{who}: randn and randn_like in one call")


def test_normal_in_place_and_functional():
    def model(x):
        return (x.clone().normal_(2.0, 3.0), torch.normal(-1.0, 2.0, (N,), dtype=torch.float64),
                torch.normal(x + 5, 0.5), torch.normal(x + 1, x + 4))

    expected = [(2, 3), (-1, 2), (5, 0.5), (1, 4)]
    for who, first, second in _both(model, (torch.zeros(N),)):
        for (a, b), (mean, std) in zip(zip(first, second), expected):
            what = f"{who} normal({mean}, {std}) {a.dtype}"
            assert_moments(a, mean, std, 3.0, what)
            assert_fresh(a, b, what)


def test_exponential_geometric_log_normal_cauchy():
    def model(x):
        return (x.clone().exponential_(2.0), x.clone().geometric_(0.3), x.clone().log_normal_(0.5, 0.25),
                x.clone().cauchy_(1.0, 2.0))

    for who, (exp1, geo1, logn1, cau1), (exp2, geo2, logn2, cau2) in _both(model, (torch.zeros(N),)):
        assert exp1.min() >= 0
        assert_moments(exp1, 0.5, 0.5, 9.0, f"{who} exponential(2)")
        assert_fresh(exp1, exp2, f"{who} exponential(2)")
        assert geo1.min() >= 1 and torch.equal(geo1, geo1.floor()), who
        assert_moments(geo1, 1 / 0.3, math.sqrt(0.7) / 0.3, 9 + 0.09 / 0.7 + 1, f"{who} geometric(0.3)")
        assert_fresh(geo1, geo2, f"{who} geometric(0.3)")
        assert logn1.min() > 0
        assert_moments(logn1.log(), 0.5, 0.25, 3.0, f"{who} log(log_normal(0.5, 0.25))")
        assert_fresh(logn1, logn2, f"{who} log_normal")
        # Cauchy(1, 2) has no mean: its median is 1, its quartiles 1 ± 2.
        assert_frequency((cau1 < 1).sum().item(), N, 0.5, f"{who} cauchy below the median")
        assert_frequency(((cau1 - 1).abs() < 2).sum().item(), N, 0.5, f"{who} cauchy within the quartiles")
        assert_fresh(cau1.clamp(-10, 10), cau2.clamp(-10, 10), f"{who} cauchy")


# -- integers ----------------------------------------------------------------------------------------


def test_randint_range_and_uniformity():
    # torch-mlir truncated a float32 uniform: with a negative low, 0 came twice as often and low
    # almost never; with a float dtype the values were not integers.
    def model(x):
        return (torch.randint(10, (N,)), torch.randint(-5, 5, (N,), dtype=torch.int32),
                torch.randint(3, 10, (N,), dtype=torch.float32), torch.randint_like(x, -128, 128, dtype=torch.int8))

    ranges = [(0, 10, torch.int64), (-5, 5, torch.int32), (3, 10, torch.float32), (-128, 128, torch.int8)]
    for who, first, second in _both(model, (torch.zeros(N),)):
        for (a, b), (low, high, dtype) in zip(zip(first, second), ranges):
            what = f"{who} randint({low}, {high}, {dtype})"
            assert a.dtype == dtype and a.min() == low and a.max() == high - 1, what
            assert torch.equal(a.double(), a.double().floor()), what
            counts = torch.bincount((a.long() - low).flatten(), minlength=high - low)
            for value, count in enumerate(counts.tolist()):
                assert_frequency(count, N, 1 / (high - low), f"{what}, value {low + value}")
            assert_fresh(a, b, what)


def test_randint_over_a_wide_range():
    def model(x):
        return torch.randint(-(2**40), 2**40, (N,))

    span = 2.0**41
    for who, (a,), (b,) in _both(model, (torch.zeros(1),)):
        assert a.min() >= -(2**40) and a.max() < 2**40, who
        assert_moments(a, -0.5, span / math.sqrt(12), 1.8, f"{who} randint over 2^41 values")
        assert_uniform_histogram(a, -(2.0**40), 2.0**40, f"{who} randint over 2^41 values")
        assert a.unique().numel() > 0.999 * N, f"{who}: values repeat"
        assert_fresh(a, b, who)


def test_randperm():
    def model(x):
        return torch.randperm(2000), torch.randperm(2000, dtype=torch.int32)

    for who, first, second in _both(model, (torch.zeros(1),)):
        for a, b in zip(first, second):
            assert torch.equal(a.sort().values, torch.arange(2000, dtype=a.dtype)), f"{who}: not a permutation"
            assert not torch.equal(a, b), f"{who}: call 2 repeated call 1"
            assert_uncorrelated(a, torch.arange(2000), f"{who}: randperm vs its positions")
            assert_uncorrelated(a, b, f"{who}: randperm call 1 vs call 2")
        assert not torch.equal(first[0], first[1].long()), f"{who}: two randperms drew the same"


def test_multinomial():
    p = torch.tensor([0.1, 0.2, 0.3, 0.4])
    rows = torch.tensor([[1.0, 2.0, 3.0, 4.0], [7.0, 0.0, 2.0, 1.0]])  # unnormalized, one weight 0

    def model(p, rows):
        return torch.multinomial(p, N, replacement=True), torch.multinomial(rows, N // 2, replacement=True)

    for who, (one, two), (again, _) in _both(model, (p, rows)):
        for value, count in enumerate(torch.bincount(one, minlength=4).tolist()):
            assert_frequency(count, N, p[value].item(), f"{who} multinomial, category {value}")
        for row in range(2):
            weights = rows[row] / rows[row].sum()
            for value, count in enumerate(torch.bincount(two[row], minlength=4).tolist()):
                assert_frequency(count, N // 2, weights[value].item(), f"{who} multinomial row {row}, {value}")
        assert_fresh(one, again, f"{who} multinomial")

    # Without replacement: the first draw goes by p, the second is never the first.
    compiled = ember.compile(lambda p: torch.multinomial(p, 2), (p,))
    for who, draw in (("ember", compiled), ("eager", lambda p: torch.multinomial(p, 2))):
        draws = torch.stack([draw(p) for _ in range(20000)])
        assert (draws[:, 0] != draws[:, 1]).all(), who
        for value, count in enumerate(torch.bincount(draws[:, 0], minlength=4).tolist()):
            assert_frequency(count, 20000, p[value].item(), f"{who} multinomial without replacement, {value}")



NAN_WEIGHT = float("nan")
BAD_WEIGHTS = {"negative": [[1.0, -1.0, 2.0]], "zero_sum": [[0.0, 0.0, 0.0]], "nan": [[1.0, NAN_WEIGHT, 1.0]],
               "inf": [[1.0, math.inf, 1.0]], "second_row": [[1.0, 2.0, 3.0], [0.0, -0.5, 0.0]]}


@pytest.mark.parametrize("replacement, n", [(False, 2), (True, 1), (True, 3)])
def test_multinomial_checks_its_weights_as_eager(replacement, n):
    # eager's checks (and its message for each) differ between its two algorithms
    def model(p):
        return torch.multinomial(p, n, replacement=replacement)

    compiled = ember.compile(model, (torch.ones(2, 3),), fallback="error")
    for name, weights in BAD_WEIGHTS.items():
        weights = torch.tensor(weights).expand(2, 3).contiguous() if len(weights) == 1 else torch.tensor(weights)
        with pytest.raises(RuntimeError) as eager:
            model(weights)
        with pytest.raises(ember.RuntimeCheckError, match=re.escape(str(eager.value))):
            compiled(weights)
    assert compiled(torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]]))[:, 0].tolist() == [1, 2]


# -- bernoulli and dropout ---------------------------------------------------------------------------


def test_bernoulli():
    # p = 1 always gives 1 and p = 0 never does; torch-mlir's float16 draw rounded to 1.0 and
    # gave 0 for p = 1 once in 4096.
    levels = torch.tensor([0.0, 0.25, 0.5, 1.0]).repeat(N // 4)

    def model(p):
        return (torch.bernoulli(p), torch.bernoulli(p.half()), p.clone().bernoulli_(0.3),
                torch.bernoulli(p, 0.7), p.clone().bernoulli_(p.flip(0)))

    for who, first, second in _both(model, (levels,)):
        for k in (0, 1):
            a = first[k]
            assert a.dtype == (torch.float32, torch.float16)[k], who
            for level, chance in enumerate([0.0, 0.25, 0.5, 1.0]):
                hits = a[level::4].double().sum().item()  # float16 sums of 2^18 ones overflow
                assert_frequency(hits, N // 4, chance, f"{who} bernoulli({chance}) {a.dtype}")
            assert_fresh(a[1::4], second[k][1::4], f"{who} bernoulli(0.25) {a.dtype}")
        for a, b, chance in ((first[2], second[2], 0.3), (first[3], second[3], 0.7)):
            assert set(a.unique().tolist()) == {0.0, 1.0}, who
            assert_frequency(a.sum().item(), N, chance, f"{who} bernoulli_({chance})")
            assert_fresh(a, b, f"{who} bernoulli_({chance})")
        flipped = first[4]  # p = levels reversed
        for level, chance in enumerate([1.0, 0.5, 0.25, 0.0]):
            assert_frequency(flipped[level::4].sum().item(), N // 4, chance, f"{who} bernoulli_(tensor)")
        assert_uncorrelated(first[2], first[3], f"{who}: two bernoulli ops in one call")


def test_dropout_zero_fraction_and_scale():
    x = torch.randn(N) + 10  # no zero of its own

    def model(x):
        return F.dropout(x, 0.3, training=True), F.dropout(x.double(), 0.9, training=True)

    for who, first, second in _both(model, (x,)):
        for a, b, p in zip(first, second, (0.3, 0.9)):
            dropped = a == 0
            assert_frequency(dropped.sum().item(), N, p, f"{who} dropout({p}) {a.dtype}, zeros")
            torch.testing.assert_close(a[~dropped], x.to(a.dtype)[~dropped] / (1 - p))
            assert_fresh(dropped.double(), (b == 0).double(), f"{who} dropout({p}) mask")
        assert_uncorrelated(first[0] == 0, first[1] == 0, f"{who}: two dropouts in one call")


def test_dropout_edge_probabilities_and_modules():
    x = torch.randn(4, 64, 8, 8) + 10

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(8, 8)
            self.drop = nn.Dropout(0.25)

        def forward(self, x):
            return self.drop(self.linear(x))

    net = Net().train()

    def model(x):
        return (F.dropout(x, 1.0, training=True), F.dropout(x, 0.0, training=True),
                F.dropout(x, 0.5, training=False), F.dropout2d(x, 0.4, training=True), net(x),
                F.alpha_dropout(x - 10, 0.2, training=True))

    for who, first, second in _both(model, (x,)):
        assert torch.equal(first[0], torch.zeros_like(x)), f"{who}: dropout(p=1) is all zeros (not NaN)"
        assert torch.equal(first[1], x) and torch.equal(first[2], x), who
        channels = first[3].flatten(2)
        dropped = (channels == 0).all(-1)
        assert ((channels == 0).any(-1) == dropped).all(), f"{who}: dropout2d drops whole channels"
        assert_frequency(dropped.sum().item(), 4 * 64, 0.4, f"{who} dropout2d channels")
        again = (second[3].flatten(2) == 0).all(-1)
        assert_fresh(dropped.double(), again.double(), f"{who} dropout2d channels")
        assert_frequency((first[4] == 0).sum().item(), x.numel(), 0.25, f"{who} nn.Dropout in training mode")
        # alpha dropout keeps a standard normal input's mean and variance; dropped elements share one value
        alpha = first[5]
        assert_moments(alpha, 0.0, 1.0, 6.0, f"{who} alpha_dropout")
        assert_frequency((alpha == alpha.flatten().mode().values).sum().item(), x.numel(), 0.2, f"{who} alpha")
    with torch.no_grad():
        compiled = ember.compile(net.eval(), (x,))
        torch.testing.assert_close(compiled(x), net(x))  # eval mode: no dropout, eager's answer


def test_rrelu_in_training_mode():
    x = -torch.ones(N)
    for who, (a,), (b,) in _both(lambda x: F.rrelu(x, 0.125, 1 / 3, training=True), (x,)):
        slopes = -a
        assert slopes.min() >= 0.125 and slopes.max() <= 1 / 3, who
        low, high = 0.125, 1 / 3
        assert_moments(slopes, (low + high) / 2, (high - low) / math.sqrt(12), 1.8, f"{who} rrelu slopes")
        assert_fresh(a, b, f"{who} rrelu")
