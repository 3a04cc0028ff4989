"""ember-expand-log1p-expm1: `log1p` and `expm1` accurate near zero.

Matches `math.log1p` and `math.expm1` on scalar floats (in `linalg.generic` bodies) and produces
Kahan's formulations over `math.log` / `math.exp`:

    log1p(x) = x                       where u = 1 + x rounds to 1,
               log(u) · x / (u − 1)    otherwise (u = +inf: log(u));
    expm1(x) = x                       where u = exp(x) rounds to 1,
               −1                      where u − 1 rounds to −1,
               (u − 1) · x / log(u)    otherwise (u = +inf: u).

The rounding error of u cancels between numerator and denominator, so the result keeps the
accuracy of log and exp (a few ulp) for every x, also where x is tiny. Why: upstream
`convert-math-to-llvm` lowers them as log(1 + x) and exp(x) − 1, which gave 0 for x = 1e-10 and
19% error at 1e-7. Runs before `ember-expand-exp`, which then makes the f32 exp vectorizable.
"""

from mlir import ir
from mlir.dialects import arith, math

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import collect_ops


def _expand(op: ir.Operation) -> None:
    x = op.operands[0]
    with ir.InsertionPoint(op), op.location:
        def c(value):
            return arith.ConstantOp(x.type, value).result

        def equal(a, b):
            return arith.CmpFOp(arith.CmpFPredicate.OEQ, a, b).result

        one, inf = c(1.0), c(float("inf"))
        if op.name == "math.log1p":
            u = arith.AddFOp(one, x).result
            d = arith.SubFOp(u, one).result
            log_u = math.LogOp(u).result
            general = arith.MulFOp(log_u, arith.DivFOp(x, d).result).result
            result = arith.SelectOp(equal(u, inf), log_u, general).result
            result = arith.SelectOp(equal(u, one), x, result).result
        else:
            u = math.ExpOp(x).result
            d = arith.SubFOp(u, one).result
            general = arith.DivFOp(arith.MulFOp(d, x).result, math.LogOp(u).result).result
            result = arith.SelectOp(equal(u, inf), u, general).result
            result = arith.SelectOp(equal(d, c(-1.0)), d, result).result
            result = arith.SelectOp(equal(u, one), x, result).result
    op.results[0].replace_all_uses_with(result)
    op.erase()


@register_pass
class ExpandLog1pExpm1(EmberPass):
    NAME = "ember-expand-log1p-expm1"
    SUMMARY = "Rewrites scalar math.log1p / math.expm1 as Kahan's formulas, accurate near zero"

    def run(self, op):
        for found in collect_ops(op, lambda o: o.name in ("math.log1p", "math.expm1")
                                 and isinstance(o.operands[0].type, ir.FloatType)):
            _expand(found)
