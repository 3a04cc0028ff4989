"""Complex tensors compile as (real, imaginary) pairs (ember.frontend.complex_as_real): the
call path takes and returns complex tensors as eager does, saved modules too; ops without a
real form run eagerly or are refused by name."""

import warnings

import numpy
import pytest
import torch

import ember


def c64(*shape):
    return torch.randn(*shape, dtype=torch.complex64)


def spectrum(a, b):
    return a * b.conj() + 1, (a / b).abs(), torch.fft.fft(a, dim=0)


def test_complex_arguments_and_results_through_save_and_load(tmp_path):
    a, b = c64(3, 4), c64(3, 4)
    compiled = ember.compile(spectrum, (a, b), fallback="error")
    assert str(compiled.signature) == ("spectrum(a: complex64[3, 4], b: complex64[3, 4]) -> "
                                       "(complex64[3, 4], float32[3, 4], complex64[3, 4])")
    x, y = c64(3, 4), c64(3, 4)
    torch.testing.assert_close(compiled(x, y), spectrum(x, y))
    # conjugate-bit and strided arguments are resolved, not read raw
    torch.testing.assert_close(compiled(x.conj(), y.t().contiguous().t()), spectrum(x.conj(), y))
    compiled.save(tmp_path / "spectrum.ember")
    loaded = ember.load(tmp_path / "spectrum.ember")
    torch.testing.assert_close(loaded(x, y), spectrum(x, y))
    got = loaded(x.numpy(), y.numpy())
    assert got[0].dtype == numpy.complex64
    numpy.testing.assert_allclose(got[0], spectrum(x, y)[0].numpy(), rtol=1e-6)


def test_a_real_or_wider_argument_for_a_complex_input_is_an_input_error():
    compiled = ember.compile(spectrum, (c64(2), c64(2)))
    with pytest.raises(ember.InputError, match="expected dtype torch.complex64, got torch.float32"):
        compiled(torch.randn(2), c64(2))
    with pytest.raises(ember.InputError, match="got torch.complex128"):
        compiled(c64(2).to(torch.complex128), c64(2))
    with pytest.raises(ember.InputValueError):
        compiled(c64(3), c64(3))


class Filter(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.taps = torch.nn.Parameter(c64(8))

    def forward(self, x):
        return torch.fft.irfft(torch.fft.rfft(x, n=14) * self.taps, n=14)


def test_a_complex_parameter_is_folded_and_watched():
    model, x = Filter(), torch.randn(2, 14)
    compiled = ember.compile(model, (x,), fallback="error")
    torch.testing.assert_close(compiled(x), model(x), rtol=1e-5, atol=1e-5)
    with torch.no_grad():
        model.taps.mul_(1j)
    with pytest.raises(ember.StaleWeightsError, match="'taps' changed"):
        compiled(x)


def test_an_op_without_a_real_form_runs_eagerly_or_is_refused_by_name():
    def model(x):
        return torch.fft.fft2(x).abs() + 1

    x = c64(4, 4)
    with pytest.warns(ember.errors.FallbackWarning, match="fft_fft2"):
        partly = ember.compile(model, (x,))
    torch.testing.assert_close(partly(x), model(x))
    with pytest.raises(ember.CaptureError, match="aten.fft_fft2.default on a complex tensor"):
        ember.compile(model, (x,), fallback="error")


def test_a_matrix_norm_of_complex_values_is_refused_by_name():
    # vector norms (and linalg.norm's vector cases) compile: the trust corpus's complex-norms
    def nuclear(z):
        return torch.linalg.norm(z, "nuc")

    with pytest.raises(ember.CaptureError, match="^nuclear: linalg.norm of a complex tensor with ord='nuc'"):
        ember.compile(nuclear, (c64(3, 3),), fallback="error")


def test_complex_with_dynamic_dims_is_refused():
    with pytest.raises(ember.CaptureError, match="complex tensors with dynamic dims"):
        ember.compile(lambda z: z * 2, (c64(4),), dynamic={"z": {0: "n"}}, fallback="error")


def test_complex_on_the_emulated_gpu():
    a, b = c64(5, 3), c64(5, 3)
    compiled = ember.compile(spectrum, (a, b), target="cuda-emulated")
    x, y = c64(5, 3), c64(5, 3)
    torch.testing.assert_close(compiled(x, y), spectrum(x, y))
