"""torch.cond and torch.while_loop compiled into one module (scf.if, scf.while), against eager:
both branches, several trip counts including zero, and the branch not taken never runs."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import ember
from ember.runtime.module import CompiledModule

while_loop = torch._higher_order_ops.while_loop


def _compiled(model, inputs, **kwargs):
    compiled = ember.compile(model, inputs, fallback="error", **kwargs)
    assert isinstance(compiled, CompiledModule), compiled  # one module, no eager islands
    return compiled


class Gate(nn.Module):
    """torch.cond on the input's value; the false branch indexes with `i`."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x, i):
        h = self.lin(x)
        return torch.cond(x.sum() > 0, lambda h, i: torch.relu(h) * 2, lambda h, i: h[i] - 1, (h, i)) + 1


def test_cond_runs_the_branch_taken_and_only_that():
    model = Gate().eval()
    in_range, out_of_range = torch.tensor([0, 2, 1]), torch.tensor([0, 7, 1])
    compiled = _compiled(model, (torch.randn(3, 4), in_range))
    for x in (torch.rand(3, 4), -torch.rand(3, 4)):
        torch.testing.assert_close(compiled(x, in_range), model(x, in_range))
    positive = torch.rand(3, 4)  # the true branch: its index is never used, as in eager
    torch.testing.assert_close(compiled(positive, out_of_range), model(positive, out_of_range))
    with pytest.raises(IndexError):
        model(-positive, out_of_range)
    with pytest.raises(IndexError):
        compiled(-positive, out_of_range)


class Branchy(nn.Module):
    """Weights inside the branches, and two results."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(64, 64), nn.Linear(64, 64)

    def forward(self, x):
        y, s = torch.cond(x.mean() > 0, lambda x: (self.a(x).relu(), x.sum(1)),
                          lambda x: (self.b(x).tanh(), x.mean(1)), (x,))
        return y * 2, s


def test_cond_with_weights_in_its_branches_and_two_results():
    model = Branchy().eval()
    compiled = _compiled(model, (torch.randn(8, 64),))
    for x in (torch.randn(8, 64) + 1, torch.randn(8, 64) - 1):
        torch.testing.assert_close(compiled(x), model(x))


class Recurrent(nn.Module):
    """A layer applied `n` times, `n` an input: a trip count from the data."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(128, 128)

    def forward(self, x, n):
        _, y = while_loop(lambda i, h: i < n, lambda i, h: (i + 1, torch.tanh(self.lin(h))),
                          (torch.zeros((), dtype=torch.int64), x))
        return y


def test_while_loop_matches_eager_for_several_trip_counts_including_zero(lowerings):
    model = Recurrent().eval()
    x = torch.randn(16, 128)
    compiled = _compiled(model, (x, torch.tensor(3)))
    for trips in (0, 1, 3, 7):
        torch.testing.assert_close(compiled(x, torch.tensor(trips)), model(x, torch.tensor(trips)))
    assert len(lowerings) == 1


def test_while_loop_whose_condition_reads_the_carried_values():
    def halving(x):
        (y,) = while_loop(lambda h: h.abs().max() > 1e-3, lambda h: (h * 0.5,), (x,))
        return y

    compiled = _compiled(halving, (torch.randn(5, 7),))
    for x in (torch.randn(5, 7), torch.zeros(5, 7), torch.randn(5, 7) * 1e4):  # 0 trips, many trips
        torch.testing.assert_close(compiled(x), halving(x))


def test_cond_inside_a_while_loop():
    def alternating(x, n):
        _, y = while_loop(lambda i, h: i < n, lambda i, h: (i + 1, torch.cond(
            h.sum() > 0, lambda h: h - 3.0, lambda h: h * -2.0 + 1, (h,))), (torch.zeros((), dtype=torch.int64), x))
        return y

    compiled = _compiled(alternating, (torch.randn(6), torch.tensor(2)))
    for trips in (0, 4, 9):
        x = torch.randn(6)
        torch.testing.assert_close(compiled(x, torch.tensor(trips)), alternating(x, torch.tensor(trips)))


def _branch(x):
    return torch.cond(x.sum() > 0, lambda h: h.relu() * 2, lambda h: h.exp(), (x,))


def test_cond_with_a_dynamic_batch():
    compiled = _compiled(_branch, (torch.randn(4, 8),), dynamic={"x": {0: "batch"}})
    for x in (torch.randn(4, 8) + 1, torch.randn(9, 8) - 1, torch.randn(2, 8)):
        torch.testing.assert_close(compiled(x), _branch(x))


def test_cond_saved_and_loaded(tmp_path):
    _compiled(_branch, (torch.randn(4, 8),)).save(tmp_path / "branch.ember")
    loaded = ember.load(tmp_path / "branch.ember")
    for x in (torch.randn(4, 8) + 1, torch.randn(4, 8) - 1):
        torch.testing.assert_close(loaded(x), _branch(x))


def test_cond_through_the_torch_compile_backend(lowerings):
    model = Gate().eval()
    compiled = torch.compile(model, backend="ember")
    i = torch.tensor([0, 2, 1])
    with torch.no_grad():
        for x in (torch.rand(3, 4), -torch.rand(3, 4)):
            torch.testing.assert_close(compiled(x, i), model(x, i))
    assert lowerings  # ember compiled Dynamo's graph, not eager


def _pooled_branch(x):
    """A branch whose result (a view of a pooled buffer in one branch) feeds more ops: it may be
    either branch's buffer, so buffer-deallocation-pipeline's runtime ownership flags (i1
    buffers) must become bytes before lowering, which aborts on i1 buffers."""
    h = torch.cond(x.sum() > 0, lambda h: torch.relu(h) * 2,
                   lambda h: F.adaptive_max_pool1d(h.unsqueeze(0), 3)[0] + h, (x,))
    return h + 1


def test_a_branch_whose_result_feeds_more_ops():
    compiled = _compiled(_pooled_branch, (torch.randn(3, 3),))
    for x in (torch.rand(3, 3), -torch.rand(3, 3)):
        torch.testing.assert_close(compiled(x), _pooled_branch(x))


def test_device_targets_refuse_control_flow_by_name():
    with pytest.raises(ember.EmberError, match=r"scf.if \(torch.cond or torch.while_loop\): the device targets do not"):
        ember.compile(_branch, (torch.randn(4, 8),), fallback="error", target="cuda-emulated")
