"""ember-expand-exp: computes `exp` of f32 with arithmetic that vectorizes, instead of a libm
call per element.

Matches `math.exp` on f32 scalars (typically in a `linalg.generic` body: softmax, sigmoid,
SiLU) and produces Cephes' `expf`: x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 split in two
constants so that r is exact), a degree-6 polynomial for e^r, and 2^n built in the exponent
bits. Accurate to about 1 ulp, denormal results included; ±inf give inf and 0, NaN stays NaN. Why: LLVM has no vector `exp` instruction, so a vectorized `math.exp` becomes
one libm call per lane, which made softmax several times slower than eager.
"""

from mlir import ir
from mlir.dialects import arith, math

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import collect_ops

_LOG2E = 1.44269504088896341
_LN2_HI, _LN2_LO = 0.693359375, -2.12194440e-4
_POLY = (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1)
_MAX_X, _MIN_X = 88.72283935546875, -104.0  # above: inf; below: 0 (beyond the denormals)


def _expand(op: ir.Operation) -> None:
    f32, i32 = ir.F32Type.get(), ir.IntegerType.get_signless(32)
    with ir.InsertionPoint(op), op.location:
        def c(value):
            return arith.ConstantOp(f32, value).result

        x = op.operands[0]
        clamped = arith.MinimumFOp(arith.MaximumFOp(x, c(_MIN_X)).result, c(_MAX_X)).result
        n = math.FloorOp(arith.AddFOp(arith.MulFOp(clamped, c(_LOG2E)).result, c(0.5)).result).result
        r = arith.SubFOp(clamped, arith.MulFOp(n, c(_LN2_HI)).result).result
        r = arith.SubFOp(r, arith.MulFOp(n, c(_LN2_LO)).result).result
        y = c(_POLY[0])
        for coefficient in _POLY[1:]:
            y = math.FmaOp(y, r, c(coefficient)).result
        y = arith.AddFOp(math.FmaOp(arith.MulFOp(y, r).result, r, r).result, c(1.0)).result
        # 2^n as 2^a · 2^(n-a), a = n/2, each from its exponent bits (k + 127) << 23: both
        # halves stay normal over n in [-150, 128], so the product overflows to inf and
        # underflows through the denormals as exp itself does.
        n_int = arith.FPToSIOp(i32, n).result
        half = arith.ShRSIOp(n_int, arith.ConstantOp(i32, 1).result).result
        result = y
        for k in (half, arith.SubIOp(n_int, half).result):
            bits = arith.ShLIOp(arith.AddIOp(k, arith.ConstantOp(i32, 127).result).result,
                                arith.ConstantOp(i32, 23).result).result
            result = arith.MulFOp(result, arith.BitcastOp(f32, bits).result).result
        is_nan = arith.CmpFOp(arith.CmpFPredicate.UNO, x, x).result
        result = arith.SelectOp(is_nan, x, result).result
    op.results[0].replace_all_uses_with(result)
    op.erase()


@register_pass
class ExpandExp(EmberPass):
    NAME = "ember-expand-exp"
    SUMMARY = "Rewrites f32 math.exp as a vectorizable polynomial (Cephes expf)"

    def run(self, op):
        for exp in collect_ops(op, lambda o: o.name == "math.exp" and isinstance(o.operands[0].type, ir.F32Type)):
            _expand(exp)
