"""The demo: the seed MLP run eagerly and through ember, outputs side by side, and the time of
1000 calls of each, like the seed's Benchmark cell."""

import time

import torch
from torch import nn

import ember


def get_net() -> nn.Module:
    """The seed's MLP."""
    return nn.Sequential(nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 2))


def time_1000_calls(fn, x) -> float:
    for _ in range(50):
        fn(x)
    start = time.perf_counter()
    for _ in range(1000):
        fn(x)
    return time.perf_counter() - start


def main() -> None:
    torch.manual_seed(0)
    net = get_net().eval()
    x = torch.randn(size=(1, 512))
    start = time.perf_counter()
    compiled = ember.compile(net, (x,))
    print(f"Compiled the seed MLP with ember in {time.perf_counter() - start:.2f} s\n")

    with torch.no_grad():
        eager_out = net(x)
    ember_out = compiled(x)
    print(f"{'eager':>12} {'ember':>12}")
    for e, c in zip(eager_out.flatten().tolist(), ember_out.flatten().tolist()):
        print(f"{e:12.6f} {c:12.6f}")
    torch.testing.assert_close(ember_out, eager_out)
    print("outputs match (torch.testing.assert_close)\n")

    with torch.no_grad():
        eager_time = time_1000_calls(net, x)
    ember_time = time_1000_calls(compiled, x)
    print(f"Without ember: {eager_time:.4f} sec (1000 calls, batch 1, {torch.get_num_threads()} threads)")
    print(f"With ember:    {ember_time:.4f} sec")
    print(f"eager/ember:   {eager_time / ember_time:.2f}x")
