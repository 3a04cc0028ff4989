"""`ember::check(cond, x, message) -> x`: a check that eager makes on values (a multinomial's
weights), written into the captured graph by a decomposition. It passes `x` through, so that
what reads `x` depends on it and nothing drops it (torch-mlir's importer drops ops without
users, `aten._assert_async` among them). ember.frontend.builtin_ops lowers it to a `cf.assert`
of `message`, which ember-runtime-checks turns into an error status: the call raises a
RuntimeError with the message, as eager does. Run eagerly (an eager island), it raises itself."""

import torch

torch.library.define("ember::check", "(Tensor cond, Tensor x, str message) -> Tensor")


@torch.library.impl("ember::check", "CompositeExplicitAutograd")
def _check(cond: torch.Tensor, x: torch.Tensor, message: str) -> torch.Tensor:
    if not bool(cond):
        raise RuntimeError(message)
    return x.clone()


@torch.library.register_fake("ember::check")
def _check_fake(cond: torch.Tensor, x: torch.Tensor, message: str) -> torch.Tensor:
    return torch.empty_like(x)


def check(cond: torch.Tensor, x: torch.Tensor, message: str) -> torch.Tensor:
    """`x`, once `cond` (a bool tensor of one element) is checked to hold."""
    return torch.ops.ember.check(cond.reshape(()), x, message)
