"""The weights travel beside the linalg text (frontend/literals.py): the module that upstream MLIR
gets back is the one torch-mlir printed in full, constant for constant."""

import pytest
import torch
from torch import nn

from ember.dialects import new_context
from ember.frontend import capture as capture_module
from ember.frontend import literals
from models import EncoderBlock, SmallCNN, init_batch_norm, seed_mlp


class Constants(nn.Module):
    """Large constants of several element types: a bool mask, int64 indices, f16 and f64 weights."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mask", torch.arange(40).reshape(5, 8) % 3 == 0)
        self.register_buffer("index", torch.arange(39, -1, -1))
        self.w16 = nn.Parameter(torch.randn(5, 8).half())
        self.w64 = nn.Parameter(torch.randn(5, 8, dtype=torch.float64))

    def forward(self, x):
        y = torch.where(self.mask, x, -x).flatten().index_select(0, self.index).reshape(5, 8)
        return y + self.w16.float() + self.w64.float()


def _cnn():
    model = SmallCNN()
    init_batch_norm(model.bn)
    return model.eval(), (torch.randn(2, 3, 16, 16),)


CASES = {
    "seed_mlp": lambda: (seed_mlp(), (torch.randn(3, 512),)),
    "cnn": _cnn,
    "encoder": lambda: (EncoderBlock().eval(), (torch.randn(2, 16, 64),)),
    "constants": lambda: (Constants().eval(), (torch.randn(5, 8),)),
}


@pytest.mark.parametrize("case", CASES)
def test_restored_module_is_the_one_printed_in_full(case, monkeypatch):
    torch.manual_seed(0)
    model, inputs = CASES[case]()
    printed = {}
    split = literals.split_weights

    def split_and_keep(module):
        printed["full"] = module.operation.get_asm(large_elements_limit=None, enable_debug_info=True)
        return split(module)

    monkeypatch.setattr(literals, "split_weights", split_and_keep)
    captured = capture_module.capture(model, inputs, isolated=False)
    assert captured.weights, "no weight was elided: the test would not test the hand-off"
    assert "dense_resource<__elided__>" in captured.linalg_text
    from mlir import ir

    with new_context():  # a context each: a resource parsed twice in one gets a new name
        expected = ir.Module.parse(printed["full"]).operation.get_asm(large_elements_limit=None)
    assert captured.linalg_module(new_context()).operation.get_asm(large_elements_limit=None) == expected


def test_weights_that_do_not_match_the_text_are_refused():
    torch.manual_seed(0)
    captured = capture_module.capture(seed_mlp(), (torch.randn(1, 512),), isolated=False)
    name, array = captured.weights[0]
    wrong = ((name, array.reshape(-1)),) + captured.weights[1:]
    from mlir import ir

    with new_context():
        module = ir.Module.parse(captured.linalg_text)
        assert not literals.restore_weights(module, wrong)
        assert not literals.restore_weights(ir.Module.parse(captured.linalg_text), captured.weights[1:])
