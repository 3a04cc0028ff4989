"""ember-split-reductions: long floating-point sums accumulate in blocks, not in one chain.

Matches `linalg.generic` ops with one reduction dimension of static extent R above `threshold`
whose body adds floats (sum, mean, softmax's denominator, norms) and produces, with upstream's
`transform.structured.split_reduction` (inner_parallel), a partial reduction that keeps B
independent running sums (B the divisor of R nearest to sqrt(R)), then a reduction of those B
sums; a partial op that is still above the threshold is split again. The rounding error then
grows like sqrt(R) instead of R: a sum of 2e7 ones is exact (one chain stalls at 2^24), and the
B sums along the contiguous dimension vectorize.

Refused (and logged to the `ember` logger): several reduction dimensions, dynamic extents, an
extent with no divisor in [sqrt(R)/8, 8 sqrt(R)] (a prime), bodies that are not one addition,
operands indexed by anything but loop dimensions (softmax's `(d0, 0)` broadcast: upstream's
split asserts on it).
"""

import logging
import math

from mlir import ir

from ember.passes.registry import EmberPass, register_pass
from ember.passes.tile_and_vectorize import _apply, _Schedule, _static_ranges, _untag
from ember.passes.walk import collect_ops, iterator_types

log = logging.getLogger("ember")
REFUSED = "ember.split_refused"


def _factor(extent: int) -> int | None:
    """The divisor of `extent` nearest to its square root, within a factor of 8 of it."""
    root = math.isqrt(extent)
    for distance in range(root):
        for candidate in (root - distance, root + distance + 1):
            if 1 < candidate < extent and extent % candidate == 0:
                return candidate if root / 8 <= candidate <= root * 8 else None
    return None


def _adds_floats(generic) -> bool:
    body = generic.regions[0].blocks[0]
    ops = [o.operation.name for o in body.operations]
    return ops == ["arith.addf", "linalg.yield"] and isinstance(generic.results[0].type.element_type, ir.FloatType)


@register_pass
class SplitReductions(EmberPass):
    NAME = "ember-split-reductions"
    SUMMARY = "Splits long float sums into blocks of partial sums (error ~sqrt(R), not R)"

    threshold: int = 4096

    def run(self, op) -> None:
        for _ in range(4):  # a split partial op may itself need a split
            candidates = collect_ops(op, lambda o: o.name == "linalg.generic" and REFUSED not in o.attributes
                                     and self._long_reduction(o))
            if not candidates:
                break
            for generic in candidates:
                self._split(op, generic)
        for refused in collect_ops(op, lambda o: REFUSED in o.attributes):
            del refused.attributes[REFUSED]

    def _long_reduction(self, generic) -> bool:
        reductions = [i for i, it in enumerate(iterator_types(generic)) if it == "reduction"]
        if not reductions or len(generic.results) != 1:
            return False
        ranges = _static_ranges(generic)
        total = math.prod(ranges[i] for i in reductions) if ranges and None not in ranges else None
        if total is not None and total <= self.threshold:
            return False
        reason = None
        if total is None:
            reason = "dynamic extent"
        elif len(reductions) > 1:
            reason = f"{len(reductions)} reduction dimensions"
        elif not all(ir.AffineMapAttr(m).value.is_projected_permutation for m in generic.attributes["indexing_maps"]):
            reason = "an operand is not indexed by loop dimensions alone"  # upstream asserts on those
        elif not _adds_floats(generic):
            reason = "its body is not one float addition"
        elif _factor(total) is None:
            reason = f"extent {total} has no divisor near its square root"
        if reason:
            log.info("ember-split-reductions: left a reduction of %s elements as one chain (%s) at %s",
                     total, reason, generic.location)
            generic.attributes[REFUSED] = ir.UnitAttr.get()
            return False
        return True

    def _split(self, root, generic) -> None:
        reduction = iterator_types(generic).index("reduction")
        factor = _factor(_static_ranges(generic)[reduction])
        # The partial sums get a new dimension in the result, after the result dims of the loops
        # that come before the reduction.
        maps = list(generic.attributes["indexing_maps"])
        result_map = ir.AffineMapAttr(maps[len(maps) - 1]).value
        position = sum(1 for e in result_map.results if ir.AffineDimExpr(e).position < reduction)
        schedule = _Schedule()
        handle = schedule.tag(generic)
        schedule.add(
            f"%split:4 = transform.structured.split_reduction {handle} {{ split_factor = {factor},"
            f" insert_split_dimension = {position} }} : (!transform.any_op) -> "
            "(!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)"
        )
        if not _apply(root, schedule):
            log.info("ember-split-reductions: split_reduction refused the reduction at %s", generic.location)
            generic.attributes[REFUSED] = ir.UnitAttr.get()
        _untag(root)
