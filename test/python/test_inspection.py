"""The compiled model shows itself: the kernel table, the kernel graph as SVG, the IR after every
pass in EMBER_DUMP_DIR, and the compiler's decisions through the `ember` logger."""

import logging
import re
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest
import torch

import ember
from models import EncoderBlock, seed_mlp


@pytest.fixture(scope="module")
def mlp():
    return ember.compile(seed_mlp(), (torch.randn(1, 512),))


def test_summary_lists_the_kernels(mlp):
    text = str(mlp)
    assert text.splitlines()[0] == "ember.CompiledModule Sequential(input: float32[1, 512]) -> (float32[1, 2])"
    rows = [line for line in text.splitlines() if re.match(r"k\d+ ", line)]
    assert len(rows) == len(mlp.artifact.kernels) == 3  # one kernel per Linear (+ its ReLU)
    assert "contraction" in rows[0] and "reduce(mulf,addf)" in rows[0] and "f32[1, 256]" in rows[0]
    first = mlp.artifact.kernels[0]
    assert first["flops"] == 2 * 512 * 256 + 256 + 2 * 256  # multiply-adds, bias, ReLU (compare, select)
    assert first["bytes"] >= 4 * (512 * 256 + 512 + 256 + 256)
    assert [i["from"] for i in mlp.artifact.kernels[1]["inputs"]][0] == "k0"
    assert "3 kernels" in text.splitlines()[-1]


def test_svg_has_a_cluster_per_kernel(tmp_path):
    compiled = ember.compile(EncoderBlock().eval(), (torch.randn(1, 32, 64),))
    path = tmp_path / "graph.svg"
    compiled.show(path)
    svg = ElementTree.parse(path).getroot()
    ns = {"svg": "http://www.w3.org/2000/svg"}
    clusters = svg.findall(".//svg:g[@class='cluster']", ns)
    assert len(clusters) == len(compiled.artifact.kernels) > 10
    titles = {c.find("svg:title", ns).text for c in clusters}
    assert "cluster_k0" in titles
    edges = svg.findall(".//svg:g[@class='edge']", ns)
    labels = {t.text for e in edges for t in e.findall("svg:text", ns)}
    assert "[1, 32, 64]" in labels  # edges are labelled by shape


def test_dump_dir_has_the_ir_after_every_pass(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_DUMP_DIR", str(tmp_path))
    ember.compile(lambda x: torch.relu(x) + 1, (torch.randn(4),))
    names = sorted(os.listdir(tmp_path))
    passes = [n.split("-", 1)[1].removesuffix(".mlir") for n in names]
    assert passes[0] == "ember-caller-seed" and "ember-entry-point" in passes and passes[-1] == "ember-check-llvm-lowered"
    assert [int(n.split("-")[0]) for n in names] == sorted(int(n.split("-")[0]) for n in names)
    assert "llvm.func @ember_entry" in (tmp_path / names[-1]).read_text()


def test_logging_reports_decisions(caplog):
    with caplog.at_level(logging.INFO, logger="ember"):
        ember.compile(lambda x: x.sum(), (torch.randn(10007),))  # a prime extent: the split is refused
    assert any("ember-split-reductions" in r.getMessage() and "10007" in r.getMessage() for r in caplog.records)


def test_inspect_command_writes_svg(tmp_path, mlp):
    mlp.save(tmp_path / "mlp.ember")
    done = subprocess.run([sys.executable, "-m", "ember", "inspect", str(tmp_path / "mlp.ember")],
                          capture_output=True, text=True, check=True)
    assert "3 kernels" in done.stdout and "content hash:" in done.stdout
    subprocess.run([sys.executable, "-m", "ember", "inspect", str(tmp_path / "mlp.ember"), "--svg",
                    str(tmp_path / "g.svg")], check=True, capture_output=True)
    assert ElementTree.parse(tmp_path / "g.svg").getroot().tag.endswith("svg")
