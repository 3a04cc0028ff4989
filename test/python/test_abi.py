"""The seam: Signature, ember's entry-point ABI, and a CompiledModule built from the two.

The entry keeps no state of its own (the arena and the thread count are the caller's
context's), so calls from several threads run at once and the thread count changes without a
recompile; mutated inputs are written back as eager writes them."""

import threading

import pytest
import torch
from torch import nn

import ember
from ember.runtime.signature import Signature


def test_signature_names_inputs_outputs_and_pytree():
    def split(x, y):
        return {"sum": x + y, "parts": (x * 2, y.sum())}

    x, y = torch.randn(2, 3), torch.randn(2, 3)
    compiled = ember.compile(split, (x, y))
    signature = compiled.signature
    assert [s.name for s in signature.inputs] == ["x", "y"]
    assert [(s.shape, s.dtype) for s in signature.outputs] == [((2, 3), "float32"), ((2, 3), "float32"), ((), "float32")]
    assert str(signature) == "split(x: float32[2, 3], y: float32[2, 3]) -> (float32[2, 3], float32[2, 3], float32[])"
    torch.testing.assert_close(compiled(x, y), split(x, y))
    # The Signature is plain data: through JSON and back it rebuilds the same pytree.
    again = Signature.from_json(signature.to_json())
    assert again.inputs == signature.inputs and again.outputs == signature.outputs
    assert again.unflatten([1, 2, 3]) == {"sum": 1, "parts": (2, 3)}
    assert compiled.target == "cpu" and compiled.artifact.signature is signature


def test_entry_has_the_ember_abi():
    compiled = ember.compile(lambda x: torch.tanh(x) * 2 + 1, (torch.randn(8, 16),))
    llvm = compiled.ir("llvm")
    assert "llvm.func @_mlir_ciface_ember_entry(" in llvm
    assert "{ember.arena, llvm.noalias}, %arg3: i32 {ember.threads}) -> i32" in llvm
    abi = compiled.artifact.abi
    assert abi.entry == "ember_entry" and abi.arena_size >= 0 and not abi.uses_openmp


def test_calls_from_several_threads_run_at_once_and_match_eager():
    # Intermediates live in each thread's own arena: no lock, no shared scratch.
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 32), nn.Tanh()).eval()
    compiled = ember.compile(model, (torch.randn(16, 64),))
    assert compiled.artifact.abi.arena_size > 0
    errors = []

    def worker(seed):
        generator = torch.Generator().manual_seed(seed)
        try:
            for _ in range(200):
                x = torch.randn(16, 64, generator=generator)
                torch.testing.assert_close(compiled(x), model(x))
        except Exception as e:  # reported in the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


def test_thread_count_is_the_contexts_not_the_codes():
    model = nn.Sequential(nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 8)).eval()
    x = torch.randn(64, 1024)
    compiled = ember.compile(model, (x,))  # threads: eager's count
    assert compiled.artifact.abi.uses_openmp  # large nests are parallel loops in any case
    assert "llvm.call @ompc_set_num_threads" in compiled.ir("llvm")
    expected = model(x)
    for threads in (1, 2, 1):
        compiled.threads = threads
        torch.testing.assert_close(compiled(x), expected)
    with pytest.raises(ember.EmberError, match="threads must be a positive int"):
        compiled.threads = 0


def test_mutated_input_is_written_back_and_the_result_returned():
    def bump(x, y):
        x.add_(1)
        return x * 2 + y

    x, y = torch.randn(5), torch.randn(5)
    compiled = ember.compile(bump, (x.clone(), y))
    assert compiled.signature.mutated_inputs == ("x",)
    mine, theirs = x.clone(), x.clone()
    torch.testing.assert_close(compiled(mine, y), bump(theirs, y))
    torch.testing.assert_close(mine, theirs)  # the caller's tensor changed as in eager


def test_index_assignment_into_an_input():
    def put(x, y):
        x[0] = y[0]
        return y * 3

    x, y = torch.randn(4, 3), torch.randn(4, 3)
    compiled = ember.compile(put, (x.clone(), y))
    mine, theirs = x.clone(), x.clone()
    torch.testing.assert_close(compiled(mine, y), put(theirs, y))
    torch.testing.assert_close(mine, theirs)


def _bn_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(144, 3),
                         nn.BatchNorm1d(3, momentum=0.3)).train()


def _assert_same_buffers(a: nn.Module, b: nn.Module) -> None:
    for (name, mine), (_, theirs) in zip(a.named_buffers(), b.named_buffers()):
        torch.testing.assert_close(mine, theirs, msg=name)


def test_buffer_updates_are_written_back_every_call():
    # BatchNorm in training mode: batch statistics out, running statistics and the batch count
    # updated in the model's own buffers, call after call.
    model, reference = _bn_net(), _bn_net()
    compiled = ember.compile(model, (torch.randn(5, 3, 8, 8),))
    assert compiled.signature.state == ("1.num_batches_tracked", "1.running_mean", "1.running_var",
                                        "5.num_batches_tracked", "5.running_mean", "5.running_var")
    for _ in range(3):
        x = torch.randn(5, 3, 8, 8)
        torch.testing.assert_close(compiled(input=x), reference(x))
        _assert_same_buffers(model, reference)
    assert model[1].num_batches_tracked.item() == 3
    fresh = {name: torch.rand_like(value.float()).to(value.dtype) * 3 for name, value in _bn_net().named_buffers()}
    model.load_state_dict(fresh, strict=False)  # the buffers are read at each call, not folded in
    reference.load_state_dict(fresh, strict=False)
    x = torch.randn(5, 3, 8, 8)
    torch.testing.assert_close(compiled(x), reference(x))
    _assert_same_buffers(model, reference)


def test_saved_buffer_updates_take_the_state_as_arguments(tmp_path):
    model, reference = _bn_net(), _bn_net()
    ember.compile(model, (torch.randn(5, 3, 8, 8),)).save(tmp_path / "bn.ember")
    loaded = ember.load(tmp_path / "bn.ember")
    state = [b.clone() for _, b in sorted(model.named_buffers())]
    x = torch.randn(5, 3, 8, 8)
    torch.testing.assert_close(loaded(x, *state), reference(x))
    expected = dict(reference.named_buffers())
    for name, value in zip(loaded.signature.state, state):
        torch.testing.assert_close(value, expected[name], msg=name)
    with pytest.raises(ember.InputError, match="takes 7 tensor arguments"):
        loaded(x)


def test_unknown_target():
    with pytest.raises(ember.EmberError, match="unknown target 'tpu'; the targets are: cpu"):
        ember.compile(lambda x: x + 1, (torch.randn(2),), target="tpu")
