"""The benchmark's model zoo: each Workload builds (model, example inputs), seeded."""

import math
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn


def seed_mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 2))


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


class ResNet18(nn.Module):
    """ResNet-18's shape (stem, 4 stages of 2 basic blocks, 64→512 channels, 1000 classes)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)
        )
        blocks, cin = [], 64
        for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            blocks += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
            cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(512, 1000)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class EncoderBlock(nn.Module):
    """A post-norm transformer encoder block written out op by op (no fused fast paths)."""

    def __init__(self, d: int = 256, heads: int = 4, ffn: int = 1024):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.norm1 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, ffn)
        self.ff2 = nn.Linear(ffn, d)
        self.norm2 = nn.LayerNorm(d)

    def forward(self, x):
        b, s, d = x.shape
        q, k, v = self.qkv(x).reshape(b, s, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        attention = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // self.heads), dim=-1)
        y = (attention @ v).transpose(1, 2).reshape(b, s, d)
        x = self.norm1(x + self.proj(y))
        return self.norm2(x + self.ff2(F.gelu(self.ff1(x))))


def _add(x, y):
    return x + y


@dataclass(frozen=True)
class Workload:
    name: str
    build: Callable[[], tuple[Callable, tuple]]
    note: str = ""


def _seeded(make_model, *shapes):
    def build():
        torch.manual_seed(0)
        model = make_model().eval()
        return model, tuple(torch.randn(*s) for s in shapes)

    return build


WORKLOADS = {
    w.name: w
    for w in [
        Workload("mlp-b1", _seeded(seed_mlp, (1, 512)), "seed MLP 512-256-128-2, batch 1"),
        Workload("mlp-b64", _seeded(seed_mlp, (64, 512)), "seed MLP, batch 64"),
        Workload("resnet18-b1", _seeded(ResNet18, (1, 3, 224, 224)), "ResNet-18-shaped CNN, 1x3x224x224"),
        Workload("encoder-b1", _seeded(EncoderBlock, (1, 128, 256)), "encoder block, seq 128, d 256, 4 heads"),
        Workload("call-overhead", lambda: (_add, (torch.randn(4), torch.randn(4))), "x + y on 4 floats: call overhead"),
    ]
}
