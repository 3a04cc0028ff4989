"""A compiled model leaves the process: save/load (in a fresh process without torch-mlir or
MLIR), a C library run from two threads by a C program, and every way a file can be wrong."""

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from dataclasses import replace

import numpy
import pytest
import torch

import ember
from ember.runtime.artifact import read
from models import SmallCNN, EncoderBlock, seed_mlp

# Loads with `mlir` and `torch_mlir` made unimportable, so a hidden dependency fails the test.
LOADER = """
import sys
sys.modules["mlir"] = None
sys.modules["torch_mlir"] = None
import numpy, torch, ember
path, directory, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
module = ember.load(path)
inputs = [torch.from_numpy(numpy.load(f"{directory}/in{i}.npy")) for i in range(count)]
result = module(*inputs)
results = result if isinstance(result, (tuple, list)) else [result]
for i, r in enumerate(results):
    numpy.save(f"{directory}/out{i}.npy", r.numpy())
assert "mlir" not in sys.modules or sys.modules["mlir"] is None
"""


def _round_trip(tmp_path, model, inputs):
    compiled = ember.compile(model, inputs)
    path = tmp_path / "model.ember"
    compiled.save(path)
    for i, x in enumerate(inputs):
        numpy.save(tmp_path / f"in{i}.npy", x.numpy())
    subprocess.run([sys.executable, "-c", LOADER, str(path), str(tmp_path), str(len(inputs))], check=True)
    with torch.no_grad():
        expected = model(*inputs)
    expected = expected if isinstance(expected, (tuple, list)) else [expected]
    for i, e in enumerate(expected):
        torch.testing.assert_close(torch.from_numpy(numpy.load(tmp_path / f"out{i}.npy")), e)
    return path


@pytest.mark.parametrize("name", ["seed_mlp", "cnn", "encoder"])
def test_saved_model_runs_in_a_process_without_the_compiler(tmp_path, name):
    model, inputs = {
        "seed_mlp": (seed_mlp(), (torch.randn(1, 512),)),
        "cnn": (SmallCNN().eval(), (torch.randn(2, 3, 16, 16),)),
        "encoder": (EncoderBlock().eval(), (torch.randn(1, 32, 64),)),
    }[name]
    _round_trip(tmp_path, model, inputs)


def test_loaded_module_takes_numpy_and_keeps_the_checks(tmp_path):
    model = seed_mlp()
    x = torch.randn(1, 512)
    ember.compile(model, (x,)).save(tmp_path / "m.ember")
    loaded = ember.load(tmp_path / "m.ember")
    with torch.no_grad():
        expected = model(x)
    result = loaded(x.numpy())
    assert isinstance(result, numpy.ndarray)
    torch.testing.assert_close(torch.from_numpy(result), expected)
    torch.testing.assert_close(loaded(x), expected)
    with pytest.raises(ember.InputValueError, match=r"argument 'input' of Sequential: expected shape \[1, 512\]"):
        loaded(torch.randn(2, 512))
    with pytest.raises(ember.InputError, match="expected dtype torch.float32, got torch.float64"):
        loaded(x.double().numpy())


def test_loaded_module_writes_mutated_inputs_back(tmp_path):
    def bump(x):
        x.mul_(2)
        return x + 1

    x = torch.randn(6)
    ember.compile(bump, (x.clone(),)).save(tmp_path / "bump.ember")
    loaded = ember.load(tmp_path / "bump.ember")
    mine, theirs = x.clone(), x.clone()
    torch.testing.assert_close(loaded(mine), bump(theirs))
    torch.testing.assert_close(mine, theirs)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("saved") / "add.ember"
    ember.compile(lambda x: x * 3 + 1, (torch.randn(4),)).save(path)
    return path


def _rewrite(source, target, change):
    """Copies a .ember file member by member, letting `change(name, data)` alter each."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            new.writestr(name, change(name, old.read(name)))


def test_corrupted_native_code_is_detected(saved, tmp_path):
    bad = tmp_path / "bad.ember"
    _rewrite(saved, bad, lambda n, d: d[:-100] + bytes(100) if n == "native.so" else d)
    with pytest.raises(ember.ArtifactError, match="corrupted: 'native.so' does not match its hash"):
        ember.load(bad)


def test_edited_manifest_is_detected(saved, tmp_path):
    def widen(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["signature"]["inputs"][0]["shape"] = [400]  # would read past the caller's tensor
        return json.dumps(manifest)

    bad = tmp_path / "bad.ember"
    _rewrite(saved, bad, widen)
    with pytest.raises(ember.ArtifactError, match="manifest does not match its content hash"):
        ember.load(bad)


@pytest.mark.parametrize("keep", [0.0, 0.5, 0.99])
def test_truncated_file_is_detected(saved, tmp_path, keep):
    data = saved.read_bytes()
    bad = tmp_path / "short.ember"
    bad.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ember.ArtifactError, match="truncated or corrupted"):
        ember.load(bad)


def test_other_format_version_is_refused(saved, tmp_path):
    def bump_version(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["format_version"] = 99
        return json.dumps(manifest)

    other = tmp_path / "v99.ember"
    _rewrite(saved, other, bump_version)
    with pytest.raises(ember.ArtifactError, match="has format version 99; this ember reads version 1"):
        ember.load(other)


def test_not_an_ember_file(tmp_path):
    path = tmp_path / "x.ember"
    path.write_text("hello")
    with pytest.raises(ember.ArtifactError, match="truncated or corrupted"):
        ember.load(path)
    with pytest.raises(ember.ArtifactError, match="no such file"):
        ember.load(tmp_path / "missing.ember")


def test_native_code_for_missing_cpu_features(saved, tmp_path):
    # A file whose native code needs a feature this host lacks: re-JIT-ed from its LLVM IR where
    # MLIR is installed, a clear error where it is not.
    artifact = read(saved)
    foreign = replace(artifact, cpu_features=(*artifact.cpu_features, "avx10_9"))
    path = tmp_path / "foreign.ember"
    foreign.save(path)
    x = torch.randn(4)
    torch.testing.assert_close(ember.load(path)(x), x * 3 + 1)
    script = f"import sys; sys.modules['mlir'] = None\nimport ember\nember.load({str(path)!r})"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 1
    assert "ArtifactError" in done.stderr and "CPU features this host lacks (avx10_9)" in done.stderr


C_PROGRAM = r"""
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "model.h"

enum { IN = %(inputs)d, OUT = %(outputs)d };
static float input[IN], output[2][OUT];

static void *work(void *arg) {
    float *out = arg;
    model_context *context = model_create(1);  /* one context per thread */
    const void *inputs[] = {input};
    void *outputs[] = {out};
    int status = 0;
    for (int i = 0; i < 200 && !status; i++) status = model_run(context, inputs, outputs);
    model_destroy(context);
    return (void *)(long)status;
}

int main(int argc, char **argv) {
    FILE *f = fopen(argv[1], "rb");
    if (fread(input, sizeof(float), IN, f) != IN) return 2;
    fclose(f);
    pthread_t threads[2];
    for (int t = 0; t < 2; t++) pthread_create(&threads[t], NULL, work, output[t]);
    for (int t = 0; t < 2; t++) {
        void *status;
        pthread_join(threads[t], &status);
        if (status) { fprintf(stderr, "%%s\n", model_error_message((int)(long)status)); return 3; }
    }
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < OUT; i++) printf("%%.9g\n", output[t][i]);
    return 0;
}
"""


def test_c_program_runs_the_exported_library_from_two_threads(tmp_path):
    from ember.runtime.c_export import export

    model = EncoderBlock().eval()
    x = torch.randn(1, 32, 64)
    compiled = ember.compile(model, (x,))
    compiled.save(tmp_path / "encoder.ember")
    library, header = export(read(tmp_path / "encoder.ember"), tmp_path / "lib", name="model")
    assert os.path.basename(library) == "libmodel.so"
    exported = subprocess.run(["nm", "-D", "--defined-only", library], capture_output=True, text=True).stdout
    assert sorted(line.split()[-1] for line in exported.splitlines()) == [
        "model_create", "model_destroy", "model_error_message", "model_run"]
    source = tmp_path / "main.c"
    source.write_text(C_PROGRAM % {"inputs": x.numel(), "outputs": x.numel()})
    program = tmp_path / "main"
    subprocess.run(["cc", "-O2", "-Wall", "-Werror", "-I", str(tmp_path / "lib"), str(source), "-L",
                    str(tmp_path / "lib"), "-lmodel", f"-Wl,-rpath,{tmp_path / 'lib'}", "-lpthread",
                    "-o", str(program)], check=True)
    (tmp_path / "x.bin").write_bytes(x.numpy().tobytes())
    done = subprocess.run([str(program), str(tmp_path / "x.bin")], capture_output=True, text=True, check=True)
    values = torch.tensor([float(v) for v in done.stdout.split()]).reshape(2, *x.shape)
    with torch.no_grad():
        expected = model(x)
    torch.testing.assert_close(values[0], expected)
    torch.testing.assert_close(values[1], expected)


def test_command_line(tmp_path):
    ember_command = [sys.executable, "-m", "ember"]
    model_file = os.path.join(os.path.dirname(__file__), "..", "frontend", "mlp.py")
    path = tmp_path / "mlp.ember"
    subprocess.run([*ember_command, "compile", f"{model_file}:make_mlp", "--shape", "2x8", "-o", str(path)], check=True)
    x = numpy.random.default_rng(0).standard_normal((2, 8)).astype(numpy.float32)
    numpy.save(tmp_path / "x.npy", x)
    subprocess.run([*ember_command, "run", str(path), "--input", str(tmp_path / "x.npy"), "--output",
                    str(tmp_path / "y.npy")], check=True)
    sys.path.insert(0, os.path.dirname(model_file))
    try:
        from mlp import make_mlp
    finally:
        sys.path.pop(0)
    torch.manual_seed(0)  # `ember compile` seeds the same way: the model gets the same weights
    with torch.no_grad():
        expected = make_mlp().eval()(torch.from_numpy(x))
    torch.testing.assert_close(torch.from_numpy(numpy.load(tmp_path / "y.npy")), expected)
    inspected = subprocess.run([*ember_command, "inspect", str(path)], capture_output=True, text=True, check=True)
    assert "Sequential(input: float32[2, 8]) -> (float32[2, 4])" in inspected.stdout
    assert "content hash:" in inspected.stdout
    timed = subprocess.run([*ember_command, "bench", str(path), "--calls", "50", "--threads", "1"], capture_output=True,
                           text=True, check=True)
    assert timed.stdout.startswith("Sequential: median ") and "us per call over 50 calls (1 thread)" in timed.stdout
    # by default as many threads as torch uses in that process
    timed = subprocess.run([*ember_command, "bench", str(path), "--calls", "50"], capture_output=True, text=True,
                           check=True, env={**os.environ, "OMP_NUM_THREADS": "2"})
    assert "us per call over 50 calls (2 threads)" in timed.stdout
    bad = subprocess.run([*ember_command, "run", str(tmp_path / "missing.ember")], capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stderr.startswith("ember: error: no such file") and "Traceback" not in bad.stderr


def test_loaded_model_runs_on_numpy_without_torch(tmp_path):
    model = seed_mlp()
    x = torch.randn(1, 512)
    ember.compile(model, (x,)).save(tmp_path / "m.ember")
    numpy.save(tmp_path / "x.npy", x.numpy())
    script = f"""
import sys
for blocked in ("torch", "mlir", "torch_mlir"):
    sys.modules[blocked] = None
import numpy, ember
module = ember.load({str(tmp_path / 'm.ember')!r})
numpy.save({str(tmp_path / 'y.npy')!r}, module(numpy.load({str(tmp_path / 'x.npy')!r})))
"""
    subprocess.run([sys.executable, "-c", script], check=True)
    with torch.no_grad():
        torch.testing.assert_close(torch.from_numpy(numpy.load(tmp_path / "y.npy")), model(x))
