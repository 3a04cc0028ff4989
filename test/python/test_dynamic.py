"""Dynamic shapes: one compiled module serves every size in a dim's declared range, against
eager; sizes outside it, and related dims that disagree, raise InputValueError."""

import pytest
import torch
from torch.export import Dim

import ember
from models import EncoderBlock, seed_mlp


def test_seed_mlp_one_compile_serves_every_batch(lowerings):
    model = seed_mlp()
    compiled = ember.compile(model, (torch.randn(4, 512),), dynamic={"input": {0: "batch"}})
    for batch in (1, 3, 7, 8, 9, 17, 64, 0):  # whole register blocks, the peeled rest, and none
        x = torch.randn(batch, 512)
        torch.testing.assert_close(compiled(x), model(x))
    assert len(lowerings) == 1
    assert compiled.signature.inputs[0].shape == ("batch", 512)
    assert compiled.signature.outputs[0].shape == ("batch", 2)


def test_encoder_dynamic_batch_matches_eager(lowerings):
    model = EncoderBlock().eval()
    compiled = ember.compile(model, (torch.randn(2, 16, 64),), dynamic={"x": {0: "batch"}})
    with torch.no_grad():
        for batch in (1, 3, 8):
            x = torch.randn(batch, 16, 64)
            torch.testing.assert_close(compiled(x), model(x), rtol=1e-4, atol=1e-5)
    assert len(lowerings) == 1


def test_size_outside_the_range_names_dim_and_range():
    model = seed_mlp()
    compiled = ember.compile(model, (torch.randn(4, 512),), dynamic={"input": {0: Dim("batch", min=2, max=16)}})
    torch.testing.assert_close(compiled(torch.ones(16, 512)), model(torch.ones(16, 512)))
    for batch in (1, 17):
        with pytest.raises(ember.InputValueError, match=r"dim 0 \(batch\): expected a size in \[2, 16\].*got "
                                                         f"{batch}"):
            compiled(torch.randn(batch, 512))
    with pytest.raises(ember.InputValueError, match=r"expected shape \[batch, 512\], got shape \[3, 511\]"):
        compiled(torch.randn(3, 511))


def test_related_dims_are_checked():
    def attend(q, k):
        return torch.softmax(q @ k.transpose(-1, -2), dim=-1)

    q, k = torch.randn(5, 8), torch.randn(5, 8)
    compiled = ember.compile(attend, (q, k), dynamic={"q": {0: "seq"}, "k": {0: "seq"}})
    for seq in (1, 2, 9):
        q, k = torch.randn(seq, 8), torch.randn(seq, 8)
        torch.testing.assert_close(compiled(q, k), attend(q, k))
    with pytest.raises(ember.InputValueError, match=r"argument 'k'.*dim 0 \(seq\): expected 4, the size of seq in"
                                                     r" argument 'q' dim 0; got 3"):
        compiled(torch.randn(4, 8), torch.randn(3, 8))


def test_batch_one_example_is_widened_for_export():
    model = seed_mlp()
    compiled = ember.compile(model, (torch.randn(1, 512),), dynamic={"input": {0: "batch"}})
    for batch in (1, 5):
        x = torch.randn(batch, 512)
        torch.testing.assert_close(compiled(x), model(x))


def test_result_sizes_are_expressions_of_the_dims():
    def stack_and_halve(x):
        y = torch.cat([x, x * 2], dim=0)  # 2 * n rows
        return y.reshape(-1), y[::2].sum(-1)  # 2 * n * 3 elements, n rows

    compiled = ember.compile(stack_and_halve, (torch.randn(4, 3),), dynamic={"x": {0: "n"}})
    for n in (1, 2, 7):
        x = torch.randn(n, 3)
        for got, expected in zip(compiled(x), stack_and_halve(x)):
            torch.testing.assert_close(got, expected)


def test_reductions_over_the_dynamic_dim():
    def pool(x):
        return x.mean(0), torch.softmax(x, dim=0)

    compiled = ember.compile(pool, (torch.randn(6, 32),), dynamic={"x": {0: "n"}})
    for n in (1, 5, 300):
        x = torch.randn(n, 32)
        for got, expected in zip(compiled(x), pool(x)):
            torch.testing.assert_close(got, expected)


def test_saved_dynamic_module_keeps_its_dims(tmp_path):
    model = seed_mlp()
    compiled = ember.compile(model, (torch.randn(4, 512),), dynamic={"input": {0: Dim("batch", max=32)}})
    compiled.save(tmp_path / "mlp.ember")
    loaded = ember.load(tmp_path / "mlp.ember")
    assert loaded.signature == compiled.signature
    for batch in (2, 31):
        x = torch.randn(batch, 512)
        torch.testing.assert_close(loaded(x), model(x))
    with pytest.raises(ember.InputValueError, match=r"\[0, 32\]"):
        loaded(torch.randn(33, 512))
    x = torch.randn(3, 512)  # numpy arrays in, numpy arrays out, sizes from the arrays
    torch.testing.assert_close(torch.from_numpy(loaded(x.numpy())), model(x))


def test_c_export_says_it_takes_static_shapes(tmp_path):
    from ember.runtime.c_export import export

    compiled = ember.compile(seed_mlp(), (torch.randn(4, 512),), dynamic={"input": {0: "batch"}})
    with pytest.raises(ember.EmberError, match="dynamic dims \\(batch\\).*static shapes"):
        export(compiled.artifact, tmp_path)


@pytest.mark.parametrize("spec, message", [
    ({"y": {0: "batch"}}, "names input 'y'; the model's inputs are input"),
    ({"input": {2: "batch"}}, "axis 2 is not an axis of a rank-2 input"),
    ({"input": {0: "2batch"}}, "must be a Python identifier"),
    ({"input": {0: 3}}, "a dim is a name or a torch.export.Dim"),
    (["batch"], "must map axes to dim names"),
])
def test_bad_dynamic_specs_say_what_is_wrong(spec, message):
    with pytest.raises(ember.EmberError, match=message):
        ember.compile(seed_mlp(), (torch.randn(4, 512),), dynamic=spec)


def test_dims_the_model_relates_must_share_a_name():
    def add(x, y):
        return x + y

    with pytest.raises(ember.CaptureError, match=r"(?s)must always be equal.*share one name in dynamic="):
        ember.compile(add, (torch.randn(4, 3), torch.randn(4, 3)), dynamic={"x": {0: "a"}, "y": {0: "b"}})


def test_dynamic_loops_run_on_the_context_threads():
    # Per batch row, 16 x 4096 x 1024 multiply-adds: enough work for parallel tiles however small
    # the batch; the loop over the dynamic batch becomes an OpenMP loop on `threads` cores.
    model = torch.nn.Linear(1024, 4096).eval()
    compiled = ember.compile(model, (torch.randn(2, 16, 1024),), dynamic={"input": {0: "batch"}}, threads=2)
    assert "scf.forall" in compiled.ir("bufferized") and compiled.artifact.abi.uses_openmp
    with torch.no_grad():
        for batch in (1, 3):
            x = torch.randn(batch, 16, 1024)
            torch.testing.assert_close(compiled(x), model(x), rtol=1e-4, atol=1e-4)


def test_intermediates_of_dynamic_size_reuse_their_memory(lowerings):
    """An intermediate of dynamic size (a 32 MB exp before a column sum) is allocated per call:
    through ember's allocation cache (runtime/alloc_cache.c) it reuses the block freed by the
    call before. Through malloc, glibc mapped it fresh on each call (a page fault per 4 KB page:
    as many again as the result's own, which torch allocates)."""
    import resource

    def columns(x):
        return torch.softmax(x, dim=0) * 2

    compiled = ember.compile(columns, (torch.randn(8, 2048),), dynamic={"x": {0: "n"}}, fallback="error")
    x = torch.randn(4096, 2048)
    torch.testing.assert_close(compiled(x), columns(x))
    compiled(x)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(3):
        compiled(x)
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 3
    result_pages = x.numel() * 4 // 4096
    assert faults < 1.25 * result_pages, (faults, result_pages)
