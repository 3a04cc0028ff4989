"""ember-expand-erf: computes `erf` of f32 with arithmetic that vectorizes, instead of a libm
call per element.

Matches `math.erf` on f32 scalars (typically in a `linalg.generic` body: GELU) and produces
the rational approximation that Eigen and XLA use for f32: the input clamped to [-4, 4]
(beyond which erf rounds to ±1 in f32), then x·P(x²)/Q(x²) with P of degree 6 and Q of degree
4 in x², evaluated with FMAs. Absolute error below 5e-7 over all inputs; NaN stays NaN (the
clamp passes it through). Why: LLVM has no vector `erf`, so a vectorized `math.erf` becomes a
libm call per lane, and GELU's erf dominated the transformer block's feed-forward layer.
"""

from mlir import ir
from mlir.dialects import arith, math

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import collect_ops

_NUMERATOR = (-1.60960333262415e-02, -2.95459980854025e-03, -7.34990630326855e-04, -5.69250639462346e-05,
              -2.10102402082508e-06, 2.77068142495902e-08, -2.72614225801306e-10)  # x^1, x^3, ... x^13
_DENOMINATOR = (-1.42647390514189e-02, -7.37332916720468e-03, -1.68282697438203e-03, -2.13374055278905e-04,
                -1.45660718464996e-05)  # x^0, x^2, ... x^8


def _horner(x2: ir.Value, coefficients, constant) -> ir.Value:
    value = constant(coefficients[-1])
    for coefficient in reversed(coefficients[:-1]):
        value = math.FmaOp(x2, value, constant(coefficient)).result
    return value


def _expand(op: ir.Operation) -> None:
    f32 = ir.F32Type.get()
    with ir.InsertionPoint(op), op.location:
        def constant(value):
            return arith.ConstantOp(f32, value).result

        # maximumf/minimumf propagate NaN, so NaN comes out as NaN.
        x = arith.MinimumFOp(arith.MaximumFOp(op.operands[0], constant(-4.0)).result, constant(4.0)).result
        x2 = arith.MulFOp(x, x).result
        p = arith.MulFOp(x, _horner(x2, _NUMERATOR, constant)).result
        result = arith.DivFOp(p, _horner(x2, _DENOMINATOR, constant)).result
    op.results[0].replace_all_uses_with(result)
    op.erase()


@register_pass
class ExpandErf(EmberPass):
    NAME = "ember-expand-erf"
    SUMMARY = "Rewrites f32 math.erf as a vectorizable rational approximation"

    def run(self, op):
        for erf in collect_ops(op, lambda o: o.name == "math.erf" and isinstance(o.operands[0].type, ir.F32Type)):
            _expand(erf)
