"""ember-conv-channels-inner: gives each NCHW convolution a loop order and filter layout in
which the output channels are the innermost, contiguous dimension, so that they can be the
vector dimension.

Matches `linalg.conv_2d_nchw_fchw` whose filter is an `arith.constant` and whose output
channel count is a multiple of `channel-multiple`, and produces a `linalg.generic` over
(n, oh, ow, f, c, kh, kw) that reads the filter through a `linalg.transpose` to [C, KH, KW, F]
(weights only: `ember-fold-constants` turns it into a constant) and writes the NCHW output
unchanged. Why: NCHW makes the output width the only contiguous output dimension, and
ResNet's widths (28, 14, 7) fill no SIMD register, while its channel counts (64-512) do.
"""

from mlir import ir
from mlir.dialects import arith, linalg, tensor

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import conv_pair, ops_named


def _rewrite(conv: ir.Operation) -> None:
    image, filter_, init = conv.operands
    f, c, kh, kw = ir.RankedTensorType(filter_.type).shape
    element = ir.RankedTensorType(filter_.type).element_type
    (sh, sw), (dh, dw) = conv_pair(conv, "strides"), conv_pair(conv, "dilations")
    d = [ir.AffineDimExpr.get(i) for i in range(7)]  # n, oh, ow, f, c, kh, kw

    def term(dim, step):
        return dim if step == 1 else dim * step

    maps = [
        ir.AffineMap.get(7, 0, [d[0], d[4], term(d[1], sh) + term(d[5], dh), term(d[2], sw) + term(d[6], dw)]),
        ir.AffineMap.get(7, 0, [d[4], d[5], d[6], d[3]]),
        ir.AffineMap.get(7, 0, [d[0], d[3], d[1], d[2]]),
    ]
    parallel, reduction = (ir.Attribute.parse(f"#linalg.iterator_type<{t}>") for t in ("parallel", "reduction"))
    with ir.InsertionPoint(conv), conv.location:
        empty = tensor.EmptyOp([c, kh, kw, f], element)
        transposed = linalg.TransposeOp([ir.RankedTensorType.get([c, kh, kw, f], element)], filter_, empty,
                                        ir.DenseI64ArrayAttr.get([1, 2, 3, 0]))
        transposed.regions[0].blocks.append(element, element, arg_locs=[conv.location] * 2)
        with ir.InsertionPoint(transposed.regions[0].blocks[0]):
            linalg.YieldOp([transposed.regions[0].blocks[0].arguments[0]])
        generic = linalg.GenericOp(
            [init.type], [image, transposed.results[0]], [init],
            ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for m in maps]),
            ir.ArrayAttr.get([parallel] * 4 + [reduction] * 3),
        )
        body = generic.regions[0].blocks.append(element, element, element, arg_locs=[conv.location] * 3)
        with ir.InsertionPoint(body):
            product = arith.MulFOp(body.arguments[0], body.arguments[1])
            linalg.YieldOp([arith.AddFOp(body.arguments[2], product).result])
    conv.results[0].replace_all_uses_with(generic.results[0])
    conv.erase()


@register_pass
class ConvChannelsInner(EmberPass):
    NAME = "ember-conv-channels-inner"
    SUMMARY = "NCHW convolutions loop over output channels innermost, filter transposed to [C,KH,KW,F]"

    channel_multiple: int = 16  # only convolutions whose output channels fill whole registers

    def run(self, op):
        for conv in ops_named(op, "linalg.conv_2d_nchw_fchw"):
            filter_ = conv.operands[1]
            constant = not isinstance(filter_.owner, ir.Block) and filter_.owner.name == "arith.constant"
            if constant and ir.RankedTensorType(filter_.type).shape[0] % self.channel_multiple == 0 \
                    and isinstance(conv.operands[0].type, ir.RankedTensorType) \
                    and ir.RankedTensorType(conv.operands[0].type).has_static_shape:
                _rewrite(conv)
