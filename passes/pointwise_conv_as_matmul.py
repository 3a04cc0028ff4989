"""ember-pointwise-conv-as-matmul: computes a 1x1, stride-1 NCHW convolution as a matrix product
over the flattened image, and moves its elementwise consumers into that flattened space.

Matches `linalg.conv_2d_nchw_fchw` with a 1x1 filter, unit strides and a static image whose
H*W is a multiple of `column-multiple`, and produces a `linalg.generic` over (n, f, p, c) with
p = h * W + w that reads the image and its output init as [N, C, H*W] and [N, F, H*W]
(`tensor.collapse_shape`, free on contiguous tensors) and the filter as [F, C], followed by a
`tensor.expand_shape` back to [N, F, H, W]. Then every all-parallel `linalg.generic` that reads
such an expanded value with the output's own map, and reads its other operands either the same
way or without the h and w dims (a per-channel scale), is rewritten to loop over p as well, so
that an epilogue (bias, batch norm, ReLU6) stays a consumer of the product element by element.
Why: NCHW keeps H*W contiguous in the image and the output, which makes p the vector dimension
of a register-blocked matmul (rows: output channels, weights broadcast); a width of 28 or 56
alone fills no whole register. Convolutions it leaves are logged and left to
ember-conv-channels-inner.
"""

import logging

from mlir import ir
from mlir.dialects import arith, linalg, tensor

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import conv_pair, iterator_types, ops_named

log = logging.getLogger("ember")


def _collapse(value: ir.Value, groups: list[list[int]]) -> ir.Value:
    shaped = ir.RankedTensorType(value.type)
    shape = [1] * len(groups)
    for i, group in enumerate(groups):
        for d in group:
            shape[i] *= shaped.shape[d]
    return tensor.CollapseShapeOp(ir.RankedTensorType.get(shape, shaped.element_type), value,
                                  _reassociation(groups)).result


def _expand(value: ir.Value, shape: list[int], groups: list[list[int]]) -> ir.Value:
    element = ir.RankedTensorType(value.type).element_type
    return tensor.ExpandShapeOp(ir.RankedTensorType.get(shape, element), value, _reassociation(groups),
                                [], shape).result


def _reassociation(groups: list[list[int]]) -> ir.ArrayAttr:
    i64 = ir.IntegerType.get_signless(64)
    return ir.ArrayAttr.get([ir.ArrayAttr.get([ir.IntegerAttr.get(i64, d) for d in g]) for g in groups])


def _transposed(matrix: ir.Value) -> ir.Value:
    """[F, C] -> [C, F] (of a constant filter: ember-fold-constants folds it)."""
    shaped = ir.RankedTensorType(matrix.type)
    rows, cols = shaped.shape
    empty = tensor.EmptyOp([cols, rows], shaped.element_type)
    return linalg.transpose(matrix, outs=[empty], permutation=[1, 0]).results[0]


def _rewrite_conv(conv: ir.Operation, column_multiple: int) -> ir.Value | None:
    image, filter_, init = conv.operands
    image_type, filter_type = ir.RankedTensorType(image.type), ir.RankedTensorType(filter_.type)
    if not (image_type.has_static_shape and filter_type.has_static_shape):
        return None
    n, c, h, w = image_type.shape
    f, _, kh, kw = filter_type.shape
    if (kh, kw) != (1, 1) or conv_pair(conv, "strides") != [1, 1] or (h * w) % column_multiple:
        return None
    element = ir.RankedTensorType(init.type).element_type
    d = [ir.AffineDimExpr.get(i) for i in range(4)]  # n, f, p, c
    # The filter first, as a matmul's left operand: its rows are the register block's rows. It
    # is read transposed, [C, F]: the weights that one reduction step broadcasts are adjacent.
    maps = [ir.AffineMap.get(4, 0, [d[3], d[1]]), ir.AffineMap.get(4, 0, [d[0], d[3], d[2]]),
            ir.AffineMap.get(4, 0, [d[0], d[1], d[2]])]
    parallel, reduction = (ir.Attribute.parse(f"#linalg.iterator_type<{t}>") for t in ("parallel", "reduction"))
    with ir.InsertionPoint(conv), conv.location:
        flat_image = _collapse(image, [[0], [1], [2, 3]])
        flat_filter = _transposed(_collapse(filter_, [[0], [1, 2, 3]]))
        flat_init = _flattened_init(init)
        generic = linalg.GenericOp(
            [flat_init.type], [flat_filter, flat_image], [flat_init],
            ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for m in maps]),
            ir.ArrayAttr.get([parallel] * 3 + [reduction]),
        )
        body = generic.regions[0].blocks.append(
            filter_type.element_type, image_type.element_type, element, arg_locs=[conv.location] * 3)
        with ir.InsertionPoint(body):
            product = arith.MulFOp(body.arguments[0], body.arguments[1])
            linalg.YieldOp([arith.AddFOp(body.arguments[2], product).result])
        result = _expand(generic.results[0], [n, f, h, w], [[0], [1], [2, 3]])
    conv.results[0].replace_all_uses_with(result)
    conv.erase()
    return result


def _flattened_init(init: ir.Value) -> ir.Value:
    """The output init as [N, F, H*W]: a fill or a bias broadcast is made in that shape (so that
    it stays the op that initializes the product, which ember-fuse-groups and
    ember-fold-constants look for), anything else is collapsed."""
    owner = init.owner
    groups = [[0], [1], [2, 3]]
    if not isinstance(owner, ir.Block) and len(list(init.uses)) == 1:
        if owner.name == "linalg.fill":
            shape = ir.RankedTensorType(init.type).shape
            empty = tensor.EmptyOp([shape[0], shape[1], shape[2] * shape[3]],
                                   ir.RankedTensorType(init.type).element_type)
            return linalg.fill(owner.operands[0], outs=[empty])
        added = list(ir.DenseI64ArrayAttr(owner.attributes["dimensions"])) if owner.name == "linalg.broadcast" else []
        if 2 in added and 3 in added:  # a per-channel bias: broadcast along H*W instead
            shape = ir.RankedTensorType(init.type).shape
            flat_type = ir.RankedTensorType.get([shape[0], shape[1], shape[2] * shape[3]],
                                                ir.RankedTensorType(init.type).element_type)
            empty = tensor.EmptyOp(flat_type.shape, flat_type.element_type)
            return linalg.broadcast(owner.operands[0], outs=[empty], dimensions=[d for d in added if d != 3]).results[0]
        if owner.name == "linalg.generic":
            flags = _flattened_operands(owner.operation, 2)
            if flags is not None:
                init = _flatten_consumer(owner.operation, 2, flags)
    return _collapse(init, groups)


def _flattened_operands(op: ir.Operation, h_dim: int) -> list[bool] | None:
    """For an all-parallel generic over (..., h, w, ...) with h at `h_dim`: per operand, whether
    it reads h and w as adjacent dims (True) or neither (False); None where one reads them
    otherwise, or the op is not a plain projected permutation."""
    if "indexing_maps" not in op.attributes or "reduction" in iterator_types(op) or len(op.results) != 1 \
            or any(inner.operation.name == "linalg.index" for inner in op.regions[0].blocks[0].operations):
        return None
    flags = []
    for attr in op.attributes["indexing_maps"]:
        amap = ir.AffineMapAttr(attr).value
        if not all(isinstance(e, (ir.AffineDimExpr, ir.AffineConstantExpr)) for e in amap.results):
            return None  # a window or other computed index
        dims = [e.position if isinstance(e, ir.AffineDimExpr) else -1 for e in amap.results]
        if h_dim in dims or h_dim + 1 in dims:
            at = dims.index(h_dim) if h_dim in dims else -1
            if at < 0 or at + 1 >= len(dims) or dims[at + 1] != h_dim + 1:
                return None
            flags.append(True)
        else:
            flags.append(False)
    return flags


def _flatten_consumer(op: ir.Operation, h_dim: int, flags: list[bool]) -> ir.Value:
    """Rewrites `op` to loop over p = h * W + w: operands flagged read [.., H*W, ..]."""
    old_maps = [ir.AffineMapAttr(a).value for a in op.attributes["indexing_maps"]]
    rank = old_maps[0].n_dims

    def merged(position: int) -> int:
        return position if position <= h_dim else position - 1

    new_maps = []
    for amap in old_maps:
        results = [e if isinstance(e, ir.AffineConstantExpr) else ir.AffineDimExpr.get(merged(e.position))
                   for e in amap.results if not isinstance(e, ir.AffineDimExpr) or e.position != h_dim + 1]
        new_maps.append(ir.AffineMap.get(rank - 1, 0, results))
    out_type = ir.RankedTensorType(op.results[0].type)
    with ir.InsertionPoint(op), op.location:
        operands = []
        for value, amap, flag in zip(op.operands, old_maps, flags):
            if flag:
                at = [getattr(e, "position", -1) for e in amap.results].index(h_dim)
                groups = [[i] for i in range(at)] + [[at, at + 1]] + \
                    [[i] for i in range(at + 2, ir.RankedTensorType(value.type).rank)]
                value = _collapse(value, groups)
            operands.append(value)
        iterators = list(op.attributes["iterator_types"])
        del iterators[h_dim + 1]
        n_inputs = len(op.operands) - 1
        generic = linalg.GenericOp([operands[-1].type], operands[:n_inputs], operands[n_inputs:],
                                   ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for m in new_maps]),
                                   ir.ArrayAttr.get(iterators))
        generic.regions[0].blocks.append(*[a.type for a in op.regions[0].blocks[0].arguments],
                                         arg_locs=[op.location] * len(op.operands))
        old_body, new_body = op.regions[0].blocks[0], generic.regions[0].blocks[0]
        for old_arg, new_arg in zip(old_body.arguments, new_body.arguments):
            old_arg.replace_all_uses_with(new_arg)
        for inner in list(old_body.operations):
            new_body.append(inner.operation)
        out_map = [getattr(e, "position", -1) for e in old_maps[-1].results]
        at = out_map.index(h_dim)
        groups = [[i] for i in range(at)] + [[at, at + 1]] + [[i] for i in range(at + 2, out_type.rank)]
        result = _expand(generic.results[0], list(out_type.shape), groups)
    op.results[0].replace_all_uses_with(result)
    op.erase()
    return result


def _spread(expanded: ir.Value) -> None:
    """Flattens the all-parallel consumers of `expanded` (and theirs, in turn)."""
    work = [expanded]
    while work:
        value = work.pop()
        for use in list(value.uses):
            consumer = use.owner
            if consumer.name != "linalg.generic" or use.operand_number >= len(consumer.operands) - 1:
                continue
            amap = ir.AffineMapAttr(list(consumer.attributes["indexing_maps"])[use.operand_number]).value
            out_map = ir.AffineMapAttr(list(consumer.attributes["indexing_maps"])[-1]).value
            if str(amap) != str(out_map) or len(amap.results) != 4:
                continue
            h_dim = amap.results[2].position if isinstance(amap.results[2], ir.AffineDimExpr) else -1
            flags = _flattened_operands(consumer, h_dim) if h_dim >= 0 else None
            if flags is None:
                log.info("ember-pointwise-conv-as-matmul: left a consumer of a pointwise convolution in "
                         "NCHW at %s (it reads H and W apart)", consumer.location)
                continue
            work.append(_flatten_consumer(consumer, h_dim, flags))


@register_pass
class PointwiseConvAsMatmul(EmberPass):
    NAME = "ember-pointwise-conv-as-matmul"
    SUMMARY = "1x1 stride-1 NCHW convolutions as matmuls over the flattened image, epilogues flattened too"

    column_multiple: int = 16  # only images whose H*W fills whole vector registers

    def run(self, op):
        for conv in ops_named(op, "linalg.conv_2d_nchw_fchw"):
            result = _rewrite_conv(conv, self.column_multiple)
            if result is None:
                log.info("ember-pointwise-conv-as-matmul: left a convolution (not 1x1 stride 1, dynamic, or "
                         "H*W not a multiple of %d) at %s", self.column_multiple, conv.location)
                continue
            _spread(result)
