"""Errors a user can hit: each is an ember.EmberError that names what was expected and what came."""

import pytest
import torch

import ember


@pytest.fixture(scope="module")
def compiled_add():
    def add_scaled(x, scale):
        return x * scale + 1

    return ember.compile(add_scaled, (torch.randn(2, 3), torch.randn(2, 3)))


def test_wrong_argument_count(compiled_add):
    with pytest.raises(ember.InputError, match=r"add_scaled takes 2 tensor arguments \(x, scale\), got 1"):
        compiled_add(torch.randn(2, 3))


def test_non_tensor_argument(compiled_add):
    with pytest.raises(ember.InputError, match=r"argument 'scale'.*expected a torch.float32 tensor of shape \[2, 3\], got float"):
        compiled_add(torch.randn(2, 3), 2.0)


def test_wrong_dtype(compiled_add):
    with pytest.raises(TypeError, match=r"argument 'x'.*expected dtype torch.float32, got torch.float64"):
        compiled_add(torch.randn(2, 3, dtype=torch.float64), torch.randn(2, 3))


def test_wrong_shape(compiled_add):
    with pytest.raises(ember.InputValueError, match=r"argument 'scale'.*expected shape \[2, 3\].*got shape \[3, 2\]"):
        compiled_add(torch.randn(2, 3), torch.randn(3, 2))


def test_wrong_rank(compiled_add):
    with pytest.raises(ValueError, match=r"argument 'x'.*expected rank 2.*got shape \[6\]"):
        compiled_add(torch.randn(6), torch.randn(2, 3))


def test_wrong_device(compiled_add):
    with pytest.raises(ember.InputValueError, match=r"argument 'x'.*expected a cpu tensor, got one on meta"):
        compiled_add(torch.empty(2, 3, device="meta"), torch.randn(2, 3))


def test_errors_are_ember_errors():
    assert issubclass(ember.InputError, ember.EmberError) and issubclass(ember.InputError, TypeError)
    assert issubclass(ember.InputValueError, ember.EmberError) and issubclass(ember.InputValueError, ValueError)


def test_unsupported_op_names_the_op_and_the_user_line():
    def uses_bessel_j0(x):
        y = x * 0.5
        return torch.special.bessel_j0(y)  # torch-mlir has no linalg lowering of aten.special_bessel_j0

    with pytest.raises(ember.LoweringError) as info:
        ember.compile(uses_bessel_j0, (torch.rand(4),), fallback="error")
    message = str(info.value)
    assert "unsupported op aten.special_bessel_j0" in message
    assert "test_errors.py" in message and "return torch.special.bessel_j0(y)" in message
    assert "failed to legalize operation 'torch.operator'" in message  # the MLIR diagnostic
    assert '<{name = "torch.aten.special_bessel_j0"}>' in message


def test_unsupported_op_in_a_module_points_at_forward():
    class Histogram(torch.nn.Module):
        def forward(self, x):
            return torch.histc(x, bins=4)

    with pytest.raises(ember.LoweringError, match=r"(?s)unsupported op aten.histc.*return torch.histc\(x, bins=4\)"):
        ember.compile(Histogram(), (torch.rand(8),), fallback="error")


def test_capture_failure_is_an_ember_error():
    def data_dependent(x):
        if x.sum() > 0:  # control flow on a tensor value: torch.export cannot capture it
            return x + 1
        return x - 1

    with pytest.raises(ember.CaptureError, match=r"(?s)torch.export could not capture data_dependent.*test_errors.py:\d+: if x.sum\(\) > 0:"
                       r".*backend='ember'.*torch.cond"):
        ember.compile(data_dependent, (torch.randn(3),))  # no graph to compile in parts


def test_non_tensor_example_input():
    with pytest.raises(ember.CaptureError, match=r"example input 'n' must be a torch.Tensor, got int"):
        ember.compile(lambda x, n: x * n, (torch.randn(2), 3))


def test_failing_pass_names_a_reproducer(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_REPRODUCER_DIR", str(tmp_path))
    # A pipeline that stops at loops never reaches the LLVM dialect: ember's last check fails.
    pipeline = "builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-linalg-to-loops))"
    with pytest.raises(ember.PassError, match="(?s)pass 'ember-check-llvm-lowered' failed.*'func.func' was not lowered") as info:
        ember.compile(lambda x: x + 1, (torch.randn(3),), pipeline=pipeline)
    path = info.value.reproducer
    assert path and path.startswith(str(tmp_path)) and path in str(info.value)
    with open(path) as f:
        text = f.read()
    assert text.startswith("// ember-reproducer pipeline: builtin.module(ember-check-llvm-lowered)")
    assert "scf.for" in text

