"""ember-safe-integer-division: integer division and remainder never trap.

Matches scalar `arith.divsi`, `divui`, `remsi`, `remui`, `floordivsi` and `ceildivsi` whose
divisor is not a constant known to be safe, and torch-mlir's integer floor division through f64
(`fptosi(floor(sitofp a / sitofp b))`, which is wrong beyond 2^53 and gives INT_MIN for a zero
divisor), which becomes `floordivsi`. Produces
  - `cf.assert d != 0, "ember: integer division by zero"`: eager raises ZeroDivisionError
    (a RuntimeError), and `ember-runtime-checks` reports it the same way;
  - the operation on a safe divisor (1 where d is 0, and for signed ops where d is -1, whose
    quotient of INT_MIN overflows and traps on x86), with d = -1 computed as eager does:
    a / -1 = 0 - a (wrapping), a % -1 = 0.
"""

from mlir import ir
from mlir.dialects import arith, cf

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import collect_ops, constant_int

_SIGNED = {"arith.divsi": "quotient", "arith.floordivsi": "quotient", "arith.ceildivsi": "quotient",
           "arith.remsi": "remainder"}
_UNSIGNED = {"arith.divui", "arith.remui"}
MESSAGE = "ember: integer division by zero"


def _guard(op) -> None:
    name = op.operation.name
    dividend, divisor = op.operands
    known = constant_int(divisor)
    if known is not None and known != 0 and (known != -1 or name in _UNSIGNED):
        return
    kind = divisor.type
    with ir.InsertionPoint(op), op.location:
        def c(v):
            return arith.ConstantOp(kind, v).result

        def equal(a, b):
            return arith.CmpIOp(arith.CmpIPredicate.eq, a, b).result

        is_zero = equal(divisor, c(0))
        cf.AssertOp(arith.XOrIOp(is_zero, arith.ConstantOp(ir.IntegerType.get_signless(1), 1).result).result, MESSAGE)
        unsafe = is_zero
        if name in _SIGNED:
            is_minus_one = equal(divisor, c(-1))
            unsafe = arith.OrIOp(is_zero, is_minus_one).result
        safe_divisor = arith.SelectOp(unsafe, c(1), divisor).result
        result = ir.Operation.create(name, results=[kind], operands=[dividend, safe_divisor]).result
        if name in _SIGNED:
            by_minus_one = arith.SubIOp(c(0), dividend).result if _SIGNED[name] == "quotient" else c(0)
            result = arith.SelectOp(is_minus_one, by_minus_one, result).result
    op.results[0].replace_all_uses_with(result)
    op.operation.erase()


def _integer_floor_division(fptosi) -> ir.Operation | None:
    """`fptosi(floor(divf(sitofp a, sitofp b)))` as `floordivsi(a, b)`, or None."""
    floor = fptosi.operands[0].owner
    if not (isinstance(floor, ir.OpView) and floor.name == "math.floor"):
        return None
    divide = floor.operands[0].owner
    if not (isinstance(divide, ir.OpView) and divide.name == "arith.divf" and isinstance(divide.result.type, ir.F64Type)):
        return None
    operands = []
    for value in divide.operands:
        cast = value.owner
        if not (isinstance(cast, ir.OpView) and cast.name == "arith.sitofp"):
            return None
        operands.append(cast.operands[0])
    kind = fptosi.result.type
    if operands[0].type != kind or operands[1].type != kind:
        return None
    with ir.InsertionPoint(fptosi), fptosi.location:
        division = arith.FloorDivSIOp(operands[0], operands[1])
    fptosi.result.replace_all_uses_with(division.result)
    fptosi.operation.erase()
    return division


@register_pass
class SafeIntegerDivision(EmberPass):
    NAME = "ember-safe-integer-division"
    SUMMARY = "Checks integer divisors for zero and computes INT_MIN / -1 as eager does"

    def run(self, op) -> None:
        for fptosi in collect_ops(op, lambda o: o.name == "arith.fptosi"):
            _integer_floor_division(fptosi)
        names = set(_SIGNED) | _UNSIGNED
        for division in collect_ops(op, lambda o: o.name in names and isinstance(o.results[0].type, ir.IntegerType)):
            _guard(division)
