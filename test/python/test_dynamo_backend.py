"""torch.compile(model, backend="ember"): each graph Dynamo captures compiled by ember, against eager."""

import warnings

import pytest
import torch
import torch._dynamo
from torch import nn
from torch._dynamo.backends.debugging import ExplainWithBackend

pytestmark = [pytest.mark.filterwarnings("error:.*runs eagerly"), pytest.mark.filterwarnings("error:.*requires grad")]

from models import EncoderBlock, SmallCNN, init_batch_norm, seed_mlp


@pytest.fixture(autouse=True)
def _fresh_dynamo():
    torch._dynamo.reset()
    yield
    torch._dynamo.reset()


def test_backend_is_registered_without_importing_ember():
    assert "ember" in torch._dynamo.list_backends(exclude_tags=())


@pytest.mark.parametrize("make, shape", [(seed_mlp, (1, 512)), (SmallCNN, (2, 3, 16, 16)), (EncoderBlock, (2, 8, 64))])
def test_models_through_the_backend_match_eager(make, shape):
    model = make().eval()
    if isinstance(model, SmallCNN):
        init_batch_norm(model.bn)
    x = torch.randn(shape)
    compiled = torch.compile(model, backend="ember")
    with torch.no_grad():
        torch.testing.assert_close(compiled(x), model(x))
        x2 = torch.randn(shape)
        torch.testing.assert_close(compiled(x2), model(x2))


def test_graph_breaks_run_and_match():
    """A print and an .item() that Python branches on: Dynamo breaks the graph; each piece compiles."""

    def model(x, w):
        y = torch.relu(x @ w)
        print("between the graphs")
        if y.sum().item() > 0:
            return y * 2 + 1
        return y - 3

    compiled = torch.compile(model, backend="ember")
    w = torch.randn(16, 16)
    with torch.no_grad():
        for x in (torch.randn(4, 16), -torch.ones(4, 16).abs() * 0):
            torch.testing.assert_close(compiled(x, w), model(x, w))
    explained = ExplainWithBackend("ember")
    torch._dynamo.reset()
    with torch.no_grad():
        torch.compile(model, backend=explained)(torch.randn(4, 16), w)
    output = explained.output()
    assert output.graph_count >= 2 and output.graph_break_count >= 1
    assert any("matmul" in str(g.graph) or "relu" in str(g.graph) for g in output.graphs)


def test_parameters_are_folded_and_a_change_is_noticed():
    model = seed_mlp()
    x = torch.randn(1, 512)
    compiled = torch.compile(model, backend="ember")
    with torch.no_grad():
        torch.testing.assert_close(compiled(x), model(x))
        model[0].weight.mul_(2)  # in place: ember compiles again
        torch.testing.assert_close(compiled(x), model(x))
        model[2].bias = nn.Parameter(torch.randn(128))  # a new Parameter in its place
        torch.testing.assert_close(compiled(x), model(x))


def test_batch_norm_in_training_mode_updates_its_buffers():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)).train()
    reference = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)).train()
    reference.load_state_dict(model.state_dict())
    compiled = torch.compile(model, backend="ember")
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        for _ in range(2):
            torch.testing.assert_close(compiled(x), reference(x))
    torch.testing.assert_close(model[1].running_mean, reference[1].running_mean)
    torch.testing.assert_close(model[1].running_var, reference[1].running_var)


def test_grad_enabled_runs_eagerly_with_a_warning():
    model = seed_mlp()
    x = torch.randn(1, 512)
    compiled = torch.compile(model, backend="ember")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = compiled(x)
    torch.testing.assert_close(y, model(x))
    assert y.requires_grad  # eager's autograd graph, as the warning says
    assert any("inference only" in str(w.message) for w in caught)


def test_a_graph_that_dynamo_makes_symbolic_compiles_once(monkeypatch):
    from ember import compiler

    monkeypatch.setenv("EMBER_CACHE", "0")
    lowerings = []
    lower = compiler._lower
    monkeypatch.setattr(compiler, "_lower", lambda *a, **k: lowerings.append(1) or lower(*a, **k))
    model = seed_mlp()
    compiled = torch.compile(model, backend="ember")
    with torch.no_grad():
        for batch in (2, 3, 5, 3, 9):
            x = torch.randn(batch, 512)
            torch.testing.assert_close(compiled(x), model(x))
    # batch 2: Dynamo's static graph; 3, 5 and 9: its symbolic one, one ember module with a dynamic dim
    assert len(lowerings) == 2, lowerings
