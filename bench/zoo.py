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


def _conv_bn_relu6(cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1) -> nn.Sequential:
    conv = nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False)
    return nn.Sequential(conv, nn.BatchNorm2d(cout), nn.ReLU6())


class DepthwiseSeparable(nn.Sequential):
    """MobileNet-v1's layers 2 to 6: five blocks of depthwise 3x3 conv + BN + ReLU6 and
    pointwise 1x1 conv + BN + ReLU6, 32 to 256 channels, 112x112 down to 28x28."""

    def __init__(self):
        blocks, cin = [], 32
        for cout, stride in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1)]:
            blocks += [_conv_bn_relu6(cin, cin, 3, stride, groups=cin), _conv_bn_relu6(cin, cout, 1)]
            cin = cout
        super().__init__(*blocks)
        for module in self.modules():  # He init on fan-in: PyTorch's default shrinks the
            if isinstance(module, nn.Conv2d):  # outputs to ~1e-4, below the check's atol
                nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")


class Bottleneck(nn.Module):
    """torchvision's Bottleneck (ResNet v1.5: the stride on the 3x3 conv); `groups` and
    `base_width` make it ResNeXt's."""

    expansion = 4

    def __init__(self, cin: int, planes: int, stride: int = 1, groups: int = 1, base_width: int = 64):
        super().__init__()
        width = int(planes * (base_width / 64.0)) * groups
        cout = planes * self.expansion
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        return F.relu(self.bn3(self.conv3(y)) + identity)


class ResNet50(nn.Module):
    """torchvision's resnet50 architecture (layers 3, 4, 6, 3 of bottlenecks, 25.6M parameters),
    written out here: no torchvision, no download; random init."""

    def __init__(self, groups: int = 1, base_width: int = 64):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        layers, cin = [], 64
        for planes, blocks, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
            for i in range(blocks):
                layers.append(Bottleneck(cin, planes, stride if i == 0 else 1, groups, base_width))
                cin = planes * Bottleneck.expansion
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, 1000)
        for module in self.modules():  # torchvision's init (logits of ~30: the check is relative)
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        x = self.layers(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class ResNeXtStage(nn.Sequential):
    """ResNeXt-50 32x4d's first stage at 56x56: three bottlenecks of 1x1 256->128, grouped 3x3
    128->128 in 32 groups of 4 channels, 1x1 128->256."""

    def __init__(self):
        super().__init__(*[Bottleneck(256, 64, groups=32, base_width=4) for _ in range(3)])


def bert_base_encoder() -> nn.Module:
    """BERT-base's encoder stack: 12 post-norm blocks, d 768, 12 heads, FFN 3072, GELU."""
    return nn.Sequential(*[EncoderBlock(768, 12, 3072) for _ in range(12)])


class Alternating(nn.Module):
    """Convolutions that ember compiles between eager islands (bessel_j0, which torch-mlir does not
    lower): ember runs it in parts, its parallel loops on torch's OpenMP pool (ember.runtime.openmp)."""

    def __init__(self, channels: int = 64, blocks: int = 4):
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(channels, channels, 3, padding=1) for _ in range(blocks))

    def forward(self, x):
        for conv in self.convs:
            x = torch.special.bessel_j0(torch.tanh(torch.relu(conv(x))))
        return x


def _add(x, y):
    return x + y


@dataclass(frozen=True)
class Workload:
    name: str
    build: Callable[[], tuple[Callable, tuple]]
    note: str = ""
    slow: bool = False  # minutes per backend to compile or measure: left out by `--models fast`
    bound: str = "compute"  # "memory": reported as GB/s against copy bandwidth, not FLOP/s
    partial: bool = False  # ember compiles it in parts (fallback="eager"): eager islands between segments


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
        Workload("mlp-b7", _seeded(seed_mlp, (7, 512)), "seed MLP, batch 7 (not a whole register block)"),
        Workload("mlp-b64", _seeded(seed_mlp, (64, 512)), "seed MLP, batch 64"),
        Workload("resnet18-b1", _seeded(ResNet18, (1, 3, 224, 224)), "ResNet-18-shaped CNN, 1x3x224x224"),
        Workload("encoder-b1", _seeded(EncoderBlock, (1, 128, 256)), "encoder block, seq 128, d 256, 4 heads"),
        Workload("encoder-b7", _seeded(EncoderBlock, (7, 128, 256)), "encoder block, batch 7", slow=True),
        Workload("encoder-b64", _seeded(EncoderBlock, (64, 128, 256)), "encoder block, batch 64", slow=True),
        Workload(
            "mobilenet-dw-b1",
            _seeded(DepthwiseSeparable, (1, 32, 112, 112)),
            "5 depthwise-separable blocks (dw 3x3 + BN + ReLU6, pw 1x1 + BN + ReLU6), 1x32x112x112",
            bound="memory",
        ),
        Workload(
            "resnext-stage-b1",
            _seeded(ResNeXtStage, (1, 256, 56, 56)),
            "3 ResNeXt bottlenecks, grouped 3x3 conv (32 groups x 4 channels), 1x256x56x56",
        ),
        Workload("resnet50-b1", _seeded(ResNet50, (1, 3, 224, 224)), "ResNet-50 (torchvision's), 1x3x224x224", slow=True),
        Workload(
            "bert-base-b1",
            _seeded(bert_base_encoder, (1, 128, 768)),
            "BERT-base encoder: 12 layers, d 768, 12 heads, FFN 3072, seq 128",
            slow=True,
        ),
        Workload("alternating-b1", _seeded(Alternating, (1, 64, 56, 56)),
                 "4 x (conv 3x3 64ch compiled, bessel_j0 eager), 1x64x56x56: ember in parts", partial=True),
        Workload("call-overhead", lambda: (_add, (torch.randn(4), torch.randn(4))), "x + y on 4 floats: call overhead"),
    ]
}
