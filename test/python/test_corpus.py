"""Regression corpus of the hand-off hazards (issue: a hand-off that never crashes).

Every module that produces or consumes a bool tensor once aborted the process (an `i1` memref
reached finalize-memref-to-llvm); every module with a sort, scan or scatter once failed to parse
upstream (torch-mlir's `tm_tensor` dialect). Each case here compiles with ember and matches eager;
the few whose result shape depends on the input's values must raise a clear ember.CaptureError,
and the one that torch-mlir cannot lower a clear ember.LoweringError (it once ran out of memory).
Shapes are tiny: the point is coverage of op families, one compile each.
"""

from dataclasses import dataclass
from typing import Callable

import pytest
import torch
import torch.nn.functional as F

import ember

gen = torch.Generator().manual_seed(0)


def randn(*shape):
    return torch.randn(*shape, generator=gen)


def distinct(*shape):
    """Values without ties, so that sorts and top-k have one right answer."""
    n = 1
    for s in shape:
        n *= s
    return (torch.randperm(n, generator=gen).float() - n / 2).reshape(shape) / 4


def mask(*shape):
    return torch.rand(*shape, generator=gen) > 0.5


def ints(high, *shape, dtype=torch.int64):
    return torch.randint(0, high, shape, generator=gen, dtype=dtype)


@dataclass
class Case:
    family: str
    name: str
    fn: Callable
    args: tuple
    error: type | None = None  # the clear error expected instead of a compiled module ...
    match: str = "data-dependent shape"  # ... and what its message must say

    def __str__(self):
        return f"{self.family}-{self.name}"


class CausalMaskAttention(torch.nn.Module):
    """Scores masked with a registered bool buffer (a causal mask), then softmax and values."""

    def __init__(self, n):
        super().__init__()
        self.register_buffer("causal", torch.tril(torch.ones(n, n, dtype=torch.bool)))

    def forward(self, q, k, v):
        scores = (q @ k.transpose(-1, -2)).masked_fill(~self.causal, float("-inf"))
        return scores.softmax(-1) @ v


class PaddingMaskEncoder(torch.nn.Module):
    """nn.MultiheadAttention with a bool key-padding mask input."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.attn = torch.nn.MultiheadAttention(8, 2, batch_first=True).eval()

    def forward(self, x, pad):
        return self.attn(x, x, x, key_padding_mask=pad, need_weights=False)[0]


def masked_assign(x, m, value=1.5):
    y = x.clone()
    y[m] = value
    return y


def nll_loss_backward(logp, target):
    grad = torch.ones(())
    total_weight = torch.tensor(float(target.numel()))
    return torch.ops.aten.nll_loss_backward(grad, logp, target, None, 1, -100, total_weight)


x34, y34 = randn(3, 4), randn(3, 4)
i34, j34 = ints(5, 3, 4), ints(5, 3, 4)
m34, n34 = mask(3, 4), mask(3, 4)
special = torch.tensor([[0.0, float("inf"), -float("inf"), float("nan")], [1.0, -2.0, float("nan"), 3.5]])

CASES = [
    # comparisons: tensor-tensor, tensor-scalar, float and int, results out and consumed
    Case("compare", "eq", lambda a, b: a == b, (i34, j34)),
    Case("compare", "ne", lambda a, b: a != b, (i34, j34)),
    Case("compare", "lt", lambda a, b: a < b, (x34, y34)),
    Case("compare", "le_scalar", lambda a: a <= 0.25, (x34,)),
    Case("compare", "gt_broadcast", lambda a, b: a > b[:1], (x34, y34)),
    Case("compare", "ge_int", lambda a: a >= 2, (i34,)),
    Case("compare", "eq_scalar_float", lambda a: torch.eq(a.round(), 0.0), (x34,)),
    Case("compare", "count_gt", lambda a, b: (a > b).sum(dim=1), (x34, y34)),
    Case("compare", "maximum_by_mask", lambda a, b: a * (a >= b) + b * (a < b), (x34, y34)),
    Case("compare", "lt_of_bools", lambda m, n: m < n, (m34, n34)),
    Case("compare", "ge_of_bools", lambda m, n: m >= n, (m34, n34)),
    # logical and bitwise ops on bools
    Case("logical", "and", torch.logical_and, (m34, n34)),
    Case("logical", "or", torch.logical_or, (m34, n34)),
    Case("logical", "not", torch.logical_not, (m34,)),
    Case("logical", "xor", torch.logical_xor, (m34, n34)),
    Case("logical", "bitwise_ops", lambda a, b: (a & ~b) | (a ^ b), (m34, n34)),
    Case("logical", "and_of_comparisons", lambda a: torch.logical_and(a > -0.5, a < 0.5), (x34,)),
    Case("logical", "or_float_inputs", lambda a, b: torch.logical_or(a, b), (x34.round(), y34.round())),
    # where
    Case("where", "tensor_tensor", lambda a, b: torch.where(a > b, a, b), (x34, y34)),
    Case("where", "scalar_other", lambda a: torch.where(a > 0, a, 0.0), (x34,)),
    Case("where", "bool_input", lambda c, a, b: torch.where(c, a, b), (m34, x34, y34)),
    Case("where", "int", lambda c, a: torch.where(c, a, -1), (m34, i34)),
    Case("where", "broadcast_condition", lambda c, a: torch.where(c[:, :1], a, -a), (m34, x34)),
    Case("where", "bool_values", lambda c, a, b: torch.where(c, a, b), (m34, m34, n34)),
    # non-finite checks
    Case("nonfinite", "isinf", torch.isinf, (special,)),
    Case("nonfinite", "isnan", torch.isnan, (special,)),
    Case("nonfinite", "isfinite", torch.isfinite, (special,)),
    Case("nonfinite", "nan_to_zero", lambda a: torch.where(torch.isnan(a), 0.0, a), (special,)),
    Case("nonfinite", "isposinf", torch.isposinf, (special,)),
    # reductions of bools
    Case("any_all", "any", lambda a: (a > 1).any(), (x34,)),
    Case("any_all", "all", lambda a: (a > -3).all(), (x34,)),
    Case("any_all", "any_dim", lambda m: m.any(dim=1), (m34,)),
    Case("any_all", "all_dim_keepdim", lambda m: m.all(dim=0, keepdim=True), (m34,)),
    Case("any_all", "any_float", lambda a: torch.any(a.round(), dim=0), (x34,)),
    # masks in attention
    Case("mask", "masked_fill_input", lambda a, m: a.masked_fill(m, -1e4).softmax(-1), (x34, m34)),
    Case("mask", "masked_fill_neg_inf", lambda a, m: a.masked_fill(~m[:, :1] | m, float("-inf")).softmax(-1), (x34, m34)),
    Case("mask", "causal_buffer", CausalMaskAttention(4), (randn(2, 4, 8), randn(2, 4, 8), randn(2, 4, 8))),
    Case("mask", "key_padding", PaddingMaskEncoder(), (randn(2, 5, 8), torch.tensor([[False] * 4 + [True], [False] * 5]))),
    Case("mask", "sdpa_bool_mask", lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
         (randn(1, 2, 4, 8), randn(1, 2, 4, 8), randn(1, 2, 4, 8), torch.tril(torch.ones(4, 4, dtype=torch.bool)))),
    Case("mask", "assign_scalar", masked_assign, (x34, m34)),
    Case("mask", "assign_rows", lambda a, m: masked_assign(a, m[:, 0], -2.0), (x34, m34)),
    Case("mask", "assign_all_false", masked_assign, (randn(6), torch.zeros(6, dtype=torch.bool))),
    # casts to and from bool
    Case("cast", "float_to_bool", lambda a: a.round().to(torch.bool), (x34,)),
    Case("cast", "int_to_bool", lambda a: a.bool(), (i34,)),
    Case("cast", "bool_to_float", lambda m: m.float() * 2 - 1, (m34,)),
    Case("cast", "bool_to_int_sum", lambda m: m.to(torch.int32).sum(dim=0), (m34,)),
    Case("cast", "bool_mean", lambda m: m.float().mean(), (m34,)),
    Case("cast", "bool_to_half", lambda m: m.to(torch.float16), (m34,)),
    # bool tensors in and out, moved around
    Case("bool_io", "identity_like", lambda m: m.clone(), (m34,)),
    Case("bool_io", "transpose_reshape", lambda m: m.t().reshape(2, 6), (m34,)),
    Case("bool_io", "cat_slice", lambda m, n: torch.cat([m, n[1:]], dim=0), (m34, n34)),
    Case("bool_io", "constant_mask", lambda a: a * torch.tensor([True, False, True, False]), (x34,)),
    Case("bool_io", "ones_like_bool", lambda a: torch.ones_like(a, dtype=torch.bool) & (a > 0), (x34,)),
    Case("bool_io", "two_outputs", lambda a: (a > 0, a < 0), (x34,)),
    Case("bool_io", "pad_bool", lambda m: F.pad(m.float(), (1, 1)).bool(), (m34,)),
    Case("bool_io", "max_of_bools", lambda m: m.amax(dim=1), (m34,)),
    Case("bool_io", "min_of_bools", lambda m: m.min(dim=1)[0], (m34,)),
    Case("bool_io", "maximum_of_bools", torch.maximum, (m34, n34)),
    Case("bool_io", "add_bools", lambda m, n: m + n, (m34, n34)),
    # sort family (tm_tensor.sort)
    Case("sort", "ascending", lambda a: torch.sort(a, dim=-1), (distinct(3, 5),)),
    Case("sort", "descending_dim0", lambda a: torch.sort(a, dim=0, descending=True), (distinct(4, 3),)),
    Case("sort", "int", lambda a: torch.sort(a)[0], (torch.randperm(7, generator=gen),)),
    Case("sort", "bools", lambda m: torch.sort(m, dim=1)[0], (m34,)),
    Case("sort", "argsort", lambda a: torch.argsort(a, dim=1), (distinct(3, 5),)),
    Case("sort", "argsort_descending", lambda a: torch.argsort(a, dim=0, descending=True), (distinct(4, 3),)),
    Case("sort", "topk", lambda a: torch.topk(a, 2), (distinct(3, 5),)),
    Case("sort", "topk_smallest_dim0", lambda a: torch.topk(a, 3, dim=0, largest=False), (distinct(4, 3),)),
    Case("sort", "kthvalue", lambda a: torch.kthvalue(a, 2, dim=1), (distinct(3, 5),)),
    Case("sort", "msort", torch.msort, (distinct(4, 3),)),
    # torch-mlir has no lowering for a stable sort: a clear error naming the op
    Case("sort", "stable", lambda a: torch.sort(a, stable=True)[0], (distinct(3, 5),), error=ember.LoweringError,
         match="aten.sort.stable"),
    # scans (tm_tensor.scan)
    Case("scan", "cumsum", lambda a: torch.cumsum(a, dim=1), (x34,)),
    Case("scan", "cumsum_dim0_int", lambda a: torch.cumsum(a, dim=0), (i34,)),
    Case("scan", "cumsum_bool", lambda m: torch.cumsum(m, dim=1), (m34,)),
    Case("scan", "cumprod", lambda a: torch.cumprod(a, dim=1), (torch.rand(3, 4, generator=gen) + 0.5,)),
    Case("scan", "logcumsumexp", lambda a: torch.logcumsumexp(a, dim=1), (x34,)),
    Case("scan", "sort_then_cumsum", lambda a: torch.cumsum(torch.sort(a, dim=1)[0] + 1, dim=1), (distinct(3, 5),)),
    # scatter family (tm_tensor.scatter)
    Case("scatter", "scatter", lambda a, i, s: a.scatter(1, i, s), (x34, torch.tensor([[0, 1], [2, 3], [3, 0]]), randn(3, 2))),
    Case("scatter", "scatter_value", lambda a, i: a.scatter(0, i, 1.5), (x34, torch.tensor([[2, 0, 1, 2]]))),
    Case("scatter", "scatter_add", lambda a, i, s: a.scatter_add(1, i, s), (x34, ints(4, 3, 3), randn(3, 3))),
    Case("scatter", "scatter_reduce_sum", lambda a, i, s: a.scatter_reduce(1, i, s, "sum"), (x34, ints(4, 3, 3), randn(3, 3))),
    Case("scatter", "scatter_reduce_amax", lambda a, i, s: a.scatter_reduce(1, i, s, "amax"), (x34, ints(4, 3, 3), randn(3, 3))),
    Case("scatter", "scatter_reduce_amin_exclude", lambda a, i, s: a.scatter_reduce(0, i, s, "amin", include_self=False),
         (x34, ints(3, 2, 4), randn(2, 4))),
    Case("scatter", "scatter_reduce_prod", lambda a, i, s: a.scatter_reduce(1, i, s, "prod"), (x34, ints(4, 3, 2), randn(3, 2))),
    Case("scatter", "index_put", lambda a, i, v: torch.index_put(a, (i,), v), (randn(6), torch.tensor([4, 0, 2]), randn(3))),
    Case("scatter", "index_put_accumulate", lambda a, i, v: torch.index_put(a, (i,), v, accumulate=True),
         (randn(6), torch.tensor([1, 3, 1, 5]), randn(4))),
    Case("scatter", "index_put_2d_rows", lambda a, i, v: torch.index_put(a, (i,), v), (x34, torch.tensor([2, 0]), randn(2, 4))),
    Case("scatter", "index_put_bool_value", lambda m, i: torch.index_put(m, (i,), torch.tensor(True)), (mask(6), torch.tensor([1, 4]))),
    Case("scatter", "index_add", lambda a, i, s: a.index_add(0, i, s), (x34, torch.tensor([2, 0, 2]), randn(3, 4))),
    Case("scatter", "nll_loss_backward", nll_loss_backward, (torch.log_softmax(randn(4, 5), dim=1), ints(5, 4))),
    Case("scatter", "one_hot", lambda i: F.one_hot(i, 5), (ints(5, 4),)),
    # repeat_interleave: static repeats compile; tensor repeats size the result by their values
    Case("repeat", "repeat_interleave_int", lambda a: torch.repeat_interleave(a, 2, dim=0), (randn(3, 2),)),
    Case("repeat", "repeat_interleave_tensor", lambda a, r: torch.repeat_interleave(a, r, dim=0),
         (randn(3, 2), torch.tensor([1, 2, 1])), error=ember.CaptureError),
    # data-dependent result shapes: a clear CaptureError, not a crash
    Case("data_dependent", "bincount", lambda i: torch.bincount(i), (torch.tensor([1, 2, 2, 0]),), error=ember.CaptureError),
    Case("data_dependent", "nonzero", lambda a: torch.nonzero(a > 0), (x34,), error=ember.CaptureError),
    Case("data_dependent", "masked_select", lambda a, m: a[m], (x34, m34), error=ember.CaptureError),
    # ... but used inside a model whose result shape is static, they compile
    Case("data_dependent", "bincount_max", lambda i: torch.bincount(i).max(), (torch.tensor([1, 2, 2, 0, 2]),)),
    Case("data_dependent", "nonzero_sum", lambda a: torch.nonzero(a > 0).sum(), (x34,)),
    Case("data_dependent", "masked_select_sum", lambda v, m: (v[m] * 2).sum(), (randn(6), mask(6))),
    Case("data_dependent", "masked_rows_sum", lambda a: a[a[:, 0] > 0].sum(0), (x34,)),
    # torch-mlir cannot lower x[mask2d] (as x[i, j] with two nonzero index vectors)
    Case("data_dependent", "masked_select_2d_sum", lambda a: a[a > 0].sum(), (x34,), error=ember.LoweringError,
         match="aten.index.Tensor"),
]

def _case(entry) -> Case:
    return entry.values[0] if hasattr(entry, "values") else entry


MATCH = [c for c in CASES if _case(c).error is None]
CLEAR_ERRORS = [c for c in CASES if _case(c).error is not None]


def _check_bools(result, expected):
    """Bool results come back as torch.bool holding bytes 0 or 1, as torch stores them."""
    for r, e in zip(torch.utils._pytree.tree_leaves(result), torch.utils._pytree.tree_leaves(expected)):
        assert r.dtype == e.dtype
        if r.dtype == torch.bool:
            assert bool(r.view(torch.uint8).le(1).all())


@pytest.mark.parametrize("case", MATCH, ids=str)
def test_compiles_and_matches_eager(case):
    compiled = ember.compile(case.fn, case.args, fallback="error")
    result, expected = compiled(*case.args), case.fn(*case.args)
    _check_bools(result, expected)
    torch.testing.assert_close(result, expected, equal_nan=True)


@pytest.mark.parametrize("case", CLEAR_ERRORS, ids=str)
def test_clear_error_instead_of_a_module(case):
    with pytest.raises(case.error, match=case.match):
        ember.compile(case.fn, case.args, fallback="error")


def test_corpus_size():
    assert len(CASES) >= 60
    families = {_case(c).family for c in CASES}
    assert {"compare", "logical", "where", "nonfinite", "any_all", "mask", "cast", "bool_io", "sort", "scan", "scatter"} <= families
