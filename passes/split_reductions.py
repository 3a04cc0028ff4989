"""ember-split-reductions: long floating-point sums accumulate in levels, not in one chain.

Matches `linalg.generic` ops with one float result whose body ends in `out + value` (sum, mean,
pooling, softmax's denominator, norms and variances: `value` may be computed from the inputs)
and whose reduction dimensions together span more than `threshold` elements. Produces a chain of
generics, each reducing one dimension of at most ~sqrt(R) elements:
- several reduction dimensions: the outermost is reduced first, into a tensor of partial sums
  indexed by all the other dimensions; a second generic reduces the rest from it;
- one long dimension of extent R = C * B (B the divisor of R nearest to sqrt(R)): the operands
  are expanded to [C, B] (`tensor.expand_shape`), the C-dimension is reduced into B independent
  running sums (contiguous, so they vectorize), and a second generic sums the B.
Each level's result map is the original's where it matters (the last level writes the original
output with its own map, so keep-dim results such as softmax's `(d0, 0)` are fine). The rounding
error then grows like sqrt(R) instead of R: a sum of 2e7 ones is exact (one chain stalls at 2^24).

This is written here rather than with upstream's `transform.structured.split_reduction`, which
takes one reduction dimension only, asserts on keep-dim result maps and offers no levels.

Refused (and logged to the `ember` logger, never silently): dynamic extents, a body that uses
`linalg.index` or the accumulator other than in the final addition, a long dimension with no
divisor in [sqrt(R)/8, 8 sqrt(R)] (a prime) or indexed through a compound expression (a pooling
window), and splits whose partial sums would hold more than a quarter of the largest operand
(a long-K matmul), and products of two inputs (matmuls and convolutions): those accumulations
belong to their own schedules.
"""

import logging
import math

from mlir import ir
from mlir.dialects import arith, linalg, tensor

from ember.passes.registry import EmberPass, register_pass
from ember.passes.tile_and_vectorize import _static_ranges
from ember.passes.walk import collect_ops, is_sum, iterator_types

log = logging.getLogger("ember")


def _products_of_two_inputs(generic: ir.Operation) -> bool:
    """Whether the body multiplies two different inputs (a dot product, not a square)."""
    args = list(generic.regions[0].blocks[0].arguments)
    for inner in generic.regions[0].blocks[0].operations:
        if inner.operation.name == "arith.mulf":
            lhs, rhs = inner.operands
            if lhs != rhs and lhs in args and rhs in args:
                return True
    return False


def _factor(extent: int) -> int | None:
    """The divisor of `extent` nearest to its square root, within a factor of 8 of it."""
    root = math.isqrt(extent)
    for distance in range(root):
        for candidate in (root - distance, root + distance + 1):
            if 1 < candidate < extent and extent % candidate == 0:
                return candidate if root / 8 <= candidate <= root * 8 else None
    return None


def _maps(generic) -> list[ir.AffineMap]:
    return [ir.AffineMapAttr(m).value for m in generic.attributes["indexing_maps"]]


def _iterators(kinds: list[str]) -> ir.ArrayAttr:
    return ir.ArrayAttr.get([ir.Attribute.parse(f"#linalg.iterator_type<{k}>") for k in kinds])


def _renumbered(amap: ir.AffineMap, substitution: list[ir.AffineExpr], n_dims: int) -> ir.AffineMap:
    """`amap` with each old dim i replaced by substitution[i], over n_dims new dims."""
    sub = ir.AffineMap.get(n_dims, 0, substitution)
    return ir.AffineMap.get(n_dims, 0, [e.compose(sub) for e in amap.results])


def _rebuild(generic, inputs, outputs, maps, kinds, result_types, *, body_from=None, add_types=None):
    """A new generic before `generic`: with the body of `body_from` moved in (same block
    arguments), or a fresh `in + out` body over `add_types`."""
    with ir.InsertionPoint(generic), generic.location:
        new = linalg.GenericOp(result_types, inputs, outputs,
                               ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for m in maps]), _iterators(kinds))
    if body_from is not None:
        old = body_from.regions[0].blocks[0]
        block = new.regions[0].blocks.append(*[a.type for a in old.arguments],
                                             arg_locs=[generic.location] * len(old.arguments))
        for old_arg, new_arg in zip(old.arguments, block.arguments):
            old_arg.replace_all_uses_with(new_arg)
        for inner in list(old.operations):
            block.append(inner.operation)
    else:
        block = new.regions[0].blocks.append(*add_types, arg_locs=[generic.location] * len(add_types))
        with ir.InsertionPoint(block), generic.location:
            linalg.YieldOp([arith.AddFOp(block.arguments[0], block.arguments[1]).result])
    return new


def _split_dim(generic, dim: int, factor: int, extent: int):
    """The generic with loop `dim` of `extent` as two loops (extent/factor, factor), each operand
    that it indexes expanded to match; None if an operand indexes it through an expression."""
    maps = _maps(generic)
    n = maps[0].n_dims
    d = [ir.AffineDimExpr.get(i) for i in range(n + 1)]
    shift = [d[i] if i < dim else d[i + 1] for i in range(n)]
    shift[dim] = d[dim]  # placeholder: the expanded dim's results are rewritten below
    n_inputs = len(generic.operands) - 1
    inputs, new_maps = [], []
    for value, amap in zip(list(generic.operands)[:n_inputs], maps[:n_inputs]):
        positions = [j for j, e in enumerate(amap.results) if _uses_dim(e, dim)]
        if not positions:
            inputs.append(value)
            new_maps.append(_renumbered(amap, shift, n + 1))
            continue
        j = positions[0]
        if len(positions) > 1 or not isinstance(amap.results[j], ir.AffineDimExpr):
            return None
        shaped = ir.RankedTensorType(value.type)
        shape = list(shaped.shape)
        expanded_shape = shape[:j] + [extent // factor, factor] + shape[j + 1:]
        groups = [[i] for i in range(j)] + [[j, j + 1]] + [[i + 1] for i in range(j + 1, len(shape))]
        with ir.InsertionPoint(generic), generic.location:
            expanded = tensor.ExpandShapeOp(
                ir.RankedTensorType.get(expanded_shape, shaped.element_type), value,
                ir.ArrayAttr.get([ir.ArrayAttr.get([ir.IntegerAttr.get(ir.IntegerType.get_signless(64), g)
                                                    for g in group]) for group in groups]),
                [], ir.DenseI64ArrayAttr.get(expanded_shape)).result
        results = [e.compose(ir.AffineMap.get(n + 1, 0, shift)) for e in amap.results]
        results[j:j + 1] = [d[dim], d[dim + 1]]
        inputs.append(expanded)
        new_maps.append(ir.AffineMap.get(n + 1, 0, results))
    new_maps.append(_renumbered(maps[-1], shift, n + 1))
    kinds = iterator_types(generic)
    kinds = kinds[:dim] + ["reduction", "reduction"] + kinds[dim + 1:]
    new = _rebuild(generic, inputs, [generic.operands[n_inputs]], new_maps, kinds,
                   [generic.results[0].type], body_from=generic)
    generic.results[0].replace_all_uses_with(new.results[0])
    generic.erase()
    return new


def _uses_dim(expr: ir.AffineExpr, dim: int) -> bool:
    if isinstance(expr, ir.AffineDimExpr):
        return expr.position == dim
    if isinstance(expr, ir.AffineBinaryExpr):
        return _uses_dim(expr.lhs, dim) or _uses_dim(expr.rhs, dim)
    return False


def _peel(generic, dim: int, ranges: list[int]):
    """Two generics for one: the first reduces loop `dim` into partial sums indexed by every other
    loop, the second reduces the remaining dimensions of those into the original output."""
    maps = _maps(generic)
    n = maps[0].n_dims
    kinds = iterator_types(generic)
    rest = [i for i in range(n) if i != dim]
    element = ir.RankedTensorType(generic.results[0].type).element_type
    partial_type = ir.RankedTensorType.get([ranges[i] for i in rest], element)
    n_inputs = len(generic.operands) - 1
    with ir.InsertionPoint(generic), generic.location:
        zero = arith.ConstantOp(element, ir.FloatAttr.get(element, -0.0)).result  # the exact identity of +
        empty = tensor.EmptyOp([ranges[i] for i in rest], element).result
        init = linalg.fill(zero, outs=[empty])
    d_old = [ir.AffineDimExpr.get(i) for i in range(n)]
    partial = _rebuild(
        generic, list(generic.operands)[:n_inputs], [init],
        maps[:n_inputs] + [ir.AffineMap.get(n, 0, [d_old[i] for i in rest])],
        ["reduction" if i == dim else "parallel" for i in range(n)], [partial_type], body_from=generic)
    d_new = [ir.AffineDimExpr.get(i) for i in range(n - 1)]
    renumber = [d_new[rest.index(i)] if i != dim else ir.AffineConstantExpr.get(0) for i in range(n)]
    final = _rebuild(
        generic, [partial.results[0]], [generic.operands[n_inputs]],
        [ir.AffineMap.get_identity(n - 1), _renumbered(maps[-1], renumber, n - 1)],
        [kinds[i] for i in rest], [generic.results[0].type], add_types=[element, element])
    generic.results[0].replace_all_uses_with(final.results[0])
    generic.erase()
    return partial, final


@register_pass
class SplitReductions(EmberPass):
    NAME = "ember-split-reductions"
    SUMMARY = "Splits long float sums into levels of partial sums (error ~sqrt(R), not R)"

    threshold: int = 4096

    def run(self, op) -> None:
        work = collect_ops(op, lambda o: o.name == "linalg.generic" and is_sum(o))
        while work:
            generic = work.pop()
            with generic.location:
                step = self._step(generic)
            if step is not None:
                work.extend(step)

    def _step(self, generic):
        """Splits one level off a long sum: the two generics that replace it, or None."""
        kinds = iterator_types(generic)
        reductions = [i for i, k in enumerate(kinds) if k == "reduction"]
        if not reductions:
            return None
        ranges = _static_ranges(generic)
        if ranges is None:
            return self._refuse(generic, "?", "dynamic extent")
        total = math.prod(ranges[i] for i in reductions)
        if total <= self.threshold:
            return None
        if _products_of_two_inputs(generic):
            # A matmul or convolution: its accumulation belongs to its own register-blocked
            # schedule (split, a 512-channel 3x3 convolution became a 6-D tensor of partial sums
            # that nothing vectorized: 340 ms instead of 1.5).
            return self._refuse(generic, total, "a product of two inputs (a matmul or convolution)")
        largest = max(math.prod(ir.RankedTensorType(v.type).shape) for v in generic.operands
                      if isinstance(v.type, ir.RankedTensorType))
        dim = reductions[0]
        if len(reductions) == 1:
            factor = _factor(total)
            if factor is None:
                return self._refuse(generic, total, f"extent {total} has no divisor near its square root")
            partial_size = math.prod(r for i, r in enumerate(ranges) if i != dim) * factor
            if partial_size * 4 > largest:
                return self._refuse(generic, total, f"partial sums would hold {partial_size} elements")
            split = _split_dim(generic, dim, factor, total)
            if split is None:
                return self._refuse(generic, total, "the dimension is indexed through an expression")
            generic, ranges = split, ranges[:dim] + [total // factor, factor] + ranges[dim + 1:]
        elif math.prod(r for i, r in enumerate(ranges) if i != dim) * 4 > largest:
            return self._refuse(generic, total, "partial sums would be as large as the operands")
        return list(_peel(generic, dim, ranges))

    @staticmethod
    def _refuse(generic, total, reason):
        log.info("ember-split-reductions: left a reduction of %s elements as one chain (%s) at %s",
                 total, reason, generic.location)
        return None
