"""Single ops through ember.compile, compared with eager PyTorch, in several dtypes."""

import pytest
import torch

import ember

F32 = torch.float32

# name → (function, input shapes)
OPS = {
    "add": (lambda a, b: a + b, [(4, 5), (4, 5)]),
    "sub_mul_div": (lambda a, b: (a - b) * a / (b.abs() + 1), [(4, 5), (4, 5)]),
    "broadcast_add": (lambda a, b: a + b, [(4, 1, 5), (3, 1)]),
    "exp_tanh_sigmoid": (lambda a: torch.exp(a) + torch.tanh(a) + torch.sigmoid(a), [(3, 7)]),
    "gelu_silu": (lambda a: torch.nn.functional.gelu(a) + torch.nn.functional.silu(a), [(3, 7)]),
    "sum": (lambda a: a.sum(dim=1), [(4, 6)]),
    "mean_keepdim": (lambda a: a.mean(dim=-1, keepdim=True), [(2, 3, 6)]),
    "amax": (lambda a: a.amax(dim=0), [(5, 6)]),
    "var": (lambda a: a.var(dim=1), [(4, 6)]),
    "softmax": (lambda a: torch.softmax(a, dim=-1), [(3, 8)]),
    "reshape": (lambda a: a.reshape(6, 4) * 2, [(2, 3, 4)]),
    "permute": (lambda a: a.permute(2, 0, 1) + 1, [(2, 3, 4)]),
    "transpose": (lambda a: a.transpose(0, 1) * 1, [(3, 5)]),
    "slice": (lambda a: a[1:3, ::2] + 0, [(4, 6)]),
    "concat": (lambda a, b: torch.cat([a, b], dim=1), [(2, 3), (2, 4)]),
    "matmul": (lambda a, b: a @ b, [(3, 4), (4, 5)]),
    "bmm": (lambda a, b: torch.bmm(a, b), [(2, 3, 4), (2, 4, 5)]),
    "scalar_result": (lambda a: (a * a).sum(), [(4, 4)]),
}


@pytest.mark.parametrize("name", OPS)
def test_op_f32(name):
    fn, shapes = OPS[name]
    args = [torch.randn(s) for s in shapes]
    compiled = ember.compile(fn, args)
    torch.testing.assert_close(compiled(*args), fn(*args))


# (name, dtype): ops torch-mlir lowers for that dtype.
DTYPE_CASES = [
    ("add", torch.float16),
    ("matmul", torch.float16),
    ("add", torch.bfloat16),
    ("sum", torch.bfloat16),
    ("add", torch.int64),
    ("matmul", torch.int64),
    ("sum", torch.int64),
    ("permute", torch.int32),
]


def _make(shape, dtype):
    if dtype.is_floating_point:
        return torch.randn(shape).to(dtype)
    return torch.randint(-50, 50, shape, dtype=dtype)


@pytest.mark.parametrize("name,dtype", DTYPE_CASES, ids=[f"{n}-{str(d)[6:]}" for n, d in DTYPE_CASES])
def test_op_other_dtypes(name, dtype):
    fn, shapes = OPS[name]
    args = [_make(s, dtype) for s in shapes]
    compiled = ember.compile(fn, args)
    expected = fn(*args)
    result = compiled(*args)
    assert result.dtype == expected.dtype
    if dtype in (torch.float16, torch.bfloat16):
        # ember accumulates in the narrow type as torch-mlir lowers it; eager CPU may use f32
        torch.testing.assert_close(result.float(), expected.float(), rtol=2e-2, atol=2e-2)
    else:
        torch.testing.assert_close(result, expected)
