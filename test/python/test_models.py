"""Whole models through ember.compile, compared with eager PyTorch."""

import pytest
import torch

import ember
from models import EncoderBlock, SmallCNN, init_batch_norm, seed_mlp


@pytest.mark.parametrize("batch", [1, 64])
def test_seed_mlp(batch):
    net = seed_mlp()
    x = torch.randn(batch, 512)
    compiled = ember.compile(net, (x,))
    with torch.no_grad():
        torch.testing.assert_close(compiled(x), net(x))
        # a second input of the same shape: nothing is baked in from the example
        y = torch.randn(batch, 512)
        torch.testing.assert_close(compiled(y), net(y))


def test_cnn():
    net = SmallCNN().eval()
    init_batch_norm(net.bn)
    x = torch.randn(2, 3, 16, 16)
    compiled = ember.compile(net, (x,))
    with torch.no_grad():
        torch.testing.assert_close(compiled(x), net(x))


def test_transformer_encoder_block():
    net = EncoderBlock(d_model=64, heads=4).eval()
    x = torch.randn(1, 32, 64)
    compiled = ember.compile(net, (x,))
    with torch.no_grad():
        torch.testing.assert_close(compiled(x), net(x), rtol=1e-4, atol=1e-4)


def test_repeated_layers_keep_their_own_weights():
    """Layers of one shape are scheduled once and copied (ember-tile-and-vectorize's twins): each
    copy must read its own weights, and a bias that is one value (a splat constant, which a
    folder may read into the code) must not pass from one layer to the next."""
    torch.manual_seed(0)
    layers = [torch.nn.Linear(64, 64) for _ in range(4)] + [EncoderBlock(d_model=64, heads=4) for _ in range(2)]
    for layer, bias in zip(layers, (1.0, 2.0, 1.0, -3.0)):
        torch.nn.init.constant_(layer.bias, bias)
    net = torch.nn.Sequential(*layers[:2], torch.nn.ReLU(), *layers[2:4], torch.nn.Tanh(), *layers[4:]).eval()
    x = torch.randn(1, 32, 64)
    compiled = ember.compile(net, (x,))
    with torch.no_grad():
        torch.testing.assert_close(compiled(x), net(x), rtol=1e-4, atol=1e-4)


def test_fancy_func_from_the_seed():
    def add(a, b):
        return a + b

    def fancy_func(a, b, c, d):
        e = add(a, b)
        f = add(c, d)
        g = add(e, f)
        return g

    args = [torch.tensor([float(i)]) for i in (1, 2, 3, 4)]
    compiled = ember.compile(fancy_func, args)
    torch.testing.assert_close(compiled(*args), torch.tensor([10.0]))
    other = [torch.randn(1) for _ in range(4)]
    torch.testing.assert_close(compiled(*other), fancy_func(*other))


def test_several_inputs_and_outputs():
    def f(x, y):
        return x + y, (x * y, torch.relu(x - y))

    x, y = torch.randn(3, 4), torch.randn(3, 4)
    compiled = ember.compile(f, (x, y))
    result = compiled(x, y)
    assert isinstance(result, tuple) and isinstance(result[1], tuple)
    torch.testing.assert_close(result, f(x, y))


def test_output_that_is_an_input_and_a_constant():
    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("c", torch.arange(4.0))

        def forward(self, x):
            return x, self.c + 0, x * 2

    x = torch.randn(4)
    compiled = ember.compile(M(), (x,))
    torch.testing.assert_close(compiled(x), M()(x))


def test_non_contiguous_and_offset_inputs():
    def f(a, b):
        return a @ b + 1

    base = torch.randn(8, 8)
    a = base[2:6, 1:5]  # offset and strided
    b = torch.randn(4, 4).t()  # transposed
    compiled = ember.compile(f, (a.contiguous(), b.contiguous()))
    torch.testing.assert_close(compiled(a, b), f(a, b))
    c = torch.randn(20)[4:8]  # contiguous, with a storage offset
    g = ember.compile(lambda x: x * 3, (c,))
    torch.testing.assert_close(g(c), c * 3)


def test_stages_are_inspectable():
    net = seed_mlp()
    x = torch.randn(1, 512)
    compiled = ember.compile(net, (x,))
    assert compiled.stages[:2] == ["torch", "linalg"]
    assert "torch.aten.mm" in compiled.ir("torch") or "torch.aten.linear" in compiled.ir("torch")
    assert "linalg.matmul" in compiled.ir("linalg")
    assert "llvm.func @ember_entry" in compiled.ir("llvm")
    with pytest.raises(ember.EmberError, match="no IR stage 'ptx'"):
        compiled.ir("ptx")


def test_non_persistent_buffers():
    """Position ids and causal masks registered with persistent=False (BERT, GPT-2, Llama's RoPE):
    torch-mlir's importer found no state for them."""

    class Positions(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("position_ids", torch.arange(8), persistent=False)
            self.register_buffer("causal", torch.ones(8, 8, dtype=torch.bool).tril(), persistent=False)
            self.embed = torch.nn.Embedding(8, 4)

        def forward(self, x):
            scores = (x @ x.mT).masked_fill(~self.causal, float("-inf")).softmax(-1)
            return scores @ x + self.embed(self.position_ids)

    model, x = Positions(), torch.randn(2, 8, 4)
    torch.testing.assert_close(ember.compile(model, (x,), fallback="error")(x), model(x))
