"""fallback="eager": what ember cannot compile runs eagerly between compiled segments, against eager."""

import pytest
import torch
from torch import nn

import ember
from ember.errors import FallbackWarning
from ember.partition import PartlyCompiled


def _check(model, *inputs, falls_back: tuple[str, ...], more_inputs=()):
    """Compiles `model` in parts, warned of `falls_back` ops; each call matches eager."""
    with pytest.warns(FallbackWarning) as caught:
        compiled = ember.compile(model, inputs)
    message = "\n".join(str(w.message) for w in caught if issubclass(w.category, FallbackWarning))
    assert isinstance(compiled, PartlyCompiled) and compiled.segments, compiled
    for op in falls_back:
        assert op in message, message
    assert "test_fallback.py:" in message  # the user's line
    for args in (inputs, *more_inputs):
        torch.testing.assert_close(compiled(*args), model(*args), equal_nan=True)
    return compiled, message


class Spectral(nn.Module):
    """An op torch-mlir does not lower (eigvalsh) between layers that ember compiles."""

    def __init__(self):
        super().__init__()
        self.inner = nn.Linear(6, 6)
        self.outer = nn.Linear(6, 3)

    def forward(self, x):
        h = torch.tanh(self.inner(x))
        e = torch.linalg.eigvalsh(h.mT @ h + torch.eye(6))
        return self.outer(e.unsqueeze(0).expand(x.shape[0], -1) * h)


def test_an_op_that_does_not_lower_runs_eagerly_between_segments():
    compiled, message = _check(Spectral().eval(), torch.randn(4, 6), falls_back=("aten._linalg_eigh",),
                               more_inputs=[(torch.randn(4, 6),)])
    assert "torch.linalg.eigvalsh" in message and "aten.addmm" not in message
    assert len(compiled.segments) >= 2  # before and after the eager island


def test_an_unlowered_op_without_a_graph_break_elsewhere():
    def uses_bessel_j0(x):  # erfinv, then nextafter were the example until ember lowered them
        return torch.special.bessel_j0(x * 0.5).exp() + 1

    _check(uses_bessel_j0, torch.rand(8), falls_back=("aten.special_bessel_j0",))


def test_item_as_a_scale_compiles_whole():
    def scaled(x):
        count = (x > 0).sum().item()  # torch-mlir takes it as a scalar of the graph
        return torch.relu(x) * count + x.exp()

    compiled = ember.compile(scaled, (torch.randn(5, 3),))
    assert not isinstance(compiled, PartlyCompiled)
    for x in (torch.randn(5, 3), -torch.ones(5, 3)):
        torch.testing.assert_close(compiled(x), scaled(x))


def test_item_as_a_result_size_runs_eagerly_between_segments():
    def prefix_sum(x):
        count = (x > 0).sum().item()
        return x.exp() + 1, torch.tanh(x).flatten()[:count] * 3  # a result of data-dependent size

    _check(prefix_sum, torch.randn(5, 3), falls_back=("aten._local_scalar_dense", "aten.slice"),
           more_inputs=[(torch.randn(5, 3),), (-torch.ones(5, 3),)])


@pytest.mark.parametrize("op", ["nonzero", "masked_select", "unique"])
def test_data_dependent_output_shapes(op):
    def model(x):
        y = torch.sigmoid(x) * 2
        if op == "nonzero":
            picked = torch.nonzero(y > 1.2).float()
        elif op == "masked_select":
            picked = torch.masked_select(y, y > 1.2)
        else:
            picked = torch.unique((y * 2).round())
        return picked, y.sum(0) + 1

    _check(model, torch.randn(6, 4), falls_back=(f"aten.{op}" if op != "unique" else "aten._unique",),
           more_inputs=[(torch.randn(6, 4),)])


def test_complex_ops_without_a_real_form_run_eagerly():
    # rfft and abs compile (as real pairs); fft2 has no real form yet and runs eagerly
    def spectrum(x):
        return torch.fft.fft2(torch.fft.rfft(x * 2)).abs() + 1

    _check(spectrum, torch.randn(4, 16), falls_back=("aten.fft_fft2",))


def test_fallback_error_raises_and_a_partly_compiled_model_cannot_be_saved(tmp_path):
    with pytest.raises(ember.LoweringError, match="aten._linalg_eigh"):
        ember.compile(Spectral(), (torch.randn(4, 6),), fallback="error")
    with pytest.warns(FallbackWarning):
        compiled = ember.compile(Spectral(), (torch.randn(4, 6),))
    with pytest.raises(ember.EmberError, match="compiled in parts.*aten._linalg_eigh"):
        compiled.save(tmp_path / "spectral.ember")
    with pytest.raises(ember.EmberError, match="fallback must be"):
        ember.compile(Spectral(), (torch.randn(4, 6),), fallback="never")


class SpectralGate(nn.Module):
    """torch.cond whose false branch holds an op ember does not compile (an FFT): the module
    cannot compile whole (test_control_flow compiles the others into scf.if), so Python takes
    the branch and each branch is compiled in parts."""

    def forward(self, x):
        return torch.cond(x.sum() > 0, lambda h: torch.relu(h) * 2,
                          lambda h: torch.fft.rfft(h, n=4).abs()[:, :3] + h, (x,)) + 1


def test_torch_cond_with_a_branch_ember_cannot_lower_runs_in_parts():
    model = SpectralGate()
    with pytest.warns(FallbackWarning, match="cond: Python takes the branch"):
        compiled = ember.compile(model, (torch.randn(3, 3),))
    assert {"true_graph_0", "false_graph_0"} <= set(compiled.segments)  # both branches compiled by ember
    for x in (torch.rand(3, 3), -torch.rand(3, 3)):
        torch.testing.assert_close(compiled(x), model(x))

