"""Results that the model returns as Python numbers from `.item()` (`return y, loss.item()`,
`x.max().item() + 1`): the graph returns a 0-d tensor instead and the call takes its item.

torch.export traces `.item()` as an `aten.item` node giving a SymFloat/SymInt/SymBool, and
Python arithmetic on it as `operator` nodes (`operator.add(item, 1.0)`), which torch-mlir does
not import. Such an expression is rebuilt from aten ops on 0-d tensors of the dtype Python
computes in (float64 for a float, int64 for an int, bool for a comparison), so the number is
eager's to the bit: an f32 item is exact in float64, and float64 arithmetic is Python's.
A computed divisor is checked when the code runs: where it is zero the call raises
ZeroDivisionCheckError (a ZeroDivisionError), as Python does, not a tensor op's inf. Where they
differ: int64 wraps past 2**63, where Python's ints grow.
"""

import operator

import torch

import ember.frontend.runtime_check_op  # noqa: F401  (defines torch.ops.ember.check)

ITEM_OPS = (torch.ops.aten._local_scalar_dense.default, torch.ops.aten.item.default)
aten = torch.ops.aten

# Python's operator on numbers -> the aten op on 0-d tensors that computes it alike
_BINARY = {
    operator.add: aten.add.Tensor,
    operator.sub: aten.sub.Tensor,
    operator.mul: aten.mul.Tensor,
    operator.truediv: aten.div.Tensor,
    operator.floordiv: aten.floor_divide.default,  # Python's floor division, for floats too
    operator.mod: aten.remainder.Tensor,  # the divisor's sign, as Python's %
    operator.gt: aten.gt.Tensor,
    operator.ge: aten.ge.Tensor,
    operator.lt: aten.lt.Tensor,
    operator.le: aten.le.Tensor,
    operator.eq: aten.eq.Tensor,
    operator.ne: aten.ne.Tensor,
}
DIVISION_BY_ZERO = "ember: python division by zero"  # ember.passes.runtime_checks.CHECKS names its class
_DIVISIONS = (operator.truediv, operator.floordiv, operator.mod)
_UNARY = {operator.neg: aten.neg.default}
_CASTS = (torch.sym_float,)  # int -> float: the operand cast to float64 is the result


def take_item_results(program) -> set[int]:
    """Makes every result that is `.item()` of a tensor, or Python arithmetic on such items and
    constants, a 0-d tensor result, with export's checks of the numbers' range removed where
    they feed nothing else; returns the positions of those results among the outputs. Other
    numbers computed from tensors are left for the caller to refuse."""
    output_node = next(n for n in program.graph.nodes if n.op == "output")
    outputs = list(output_node.args[0])
    positions, items = set(), set()
    for i, value in enumerate(outputs):
        if not isinstance(value, torch.fx.Node):
            continue
        if value.target in ITEM_OPS:
            tensor = value.args[0]
        else:
            tensor = _as_tensor(value, output_node)
            if tensor is None:
                continue
        outputs[i] = tensor
        positions.add(i)
        items.update(_items_of(value))
    if not positions:
        return positions
    output_node.args = (tuple(outputs),)
    specs = program.graph_signature.output_specs
    for i in positions:
        specs[i].arg = torch.export.graph_signature.TensorArgument(name=outputs[i].name)
    for item in items:
        checks = _range_checks_of(item, output_node)
        for node in reversed(checks or ()):
            program.graph.erase_node(node)
    program.graph.eliminate_dead_code()
    program.graph_module.recompile()
    return positions


def _as_tensor(value: torch.fx.Node, output_node: torch.fx.Node) -> torch.fx.Node | None:
    """A node computing `value` (a Python number from items) as a 0-d tensor, inserted before
    the output; None where the expression holds anything but items, constants and the
    operators above (nothing is inserted then)."""
    if not _rebuildable(value):
        return None
    graph = output_node.graph
    fake_mode = next(n.args[0].meta["val"].fake_mode for n in _items_of(value))
    built = {}

    def emit(target, *args, **kwargs):
        with graph.inserting_before(output_node):
            node = graph.call_function(target, args, kwargs)
        with fake_mode:
            node.meta["val"] = target(*[a.meta["val"] if isinstance(a, torch.fx.Node) else a for a in args], **kwargs)
        return node

    def cast(node: torch.fx.Node, dtype: torch.dtype) -> torch.fx.Node:
        return node if node.meta["val"].dtype is dtype else emit(aten._to_copy.default, node, dtype=dtype)

    def build(node):
        if not isinstance(node, torch.fx.Node):
            return node  # a Python constant: a 0-d tensor of its operation's dtype, below
        if node in built:
            return built[node]
        if node.target in ITEM_OPS:
            tensor = node.args[0]
            result = cast(tensor, _python_dtype(tensor.meta["val"].dtype))
        else:
            dtype = _python_dtype(node.meta["val"])
            operands = [build(a) for a in node.args]
            if dtype is torch.bool:  # a comparison: both sides in the wider of their types
                dtype = torch.float64 if any(_is_float(a) for a in operands) else torch.int64
            operands = [cast(a, dtype) if isinstance(a, torch.fx.Node)
                        else emit(aten.scalar_tensor.default, a, dtype=dtype) for a in operands]
            if node.target in _DIVISIONS and isinstance(node.args[1], torch.fx.Node):
                divisor = operands[1]
                nonzero = emit(aten.ne.Scalar, divisor, 0)
                operands[1] = emit(torch.ops.ember.check.default, nonzero, divisor, DIVISION_BY_ZERO)
            if node.target in _CASTS:
                result = operands[0]
            elif node.target in _UNARY:
                result = emit(_UNARY[node.target], operands[0])
            else:
                result = emit(_BINARY[node.target], *operands)
        built[node] = result
        return result

    return build(value)


def _rebuildable(node) -> bool:
    if not isinstance(node, torch.fx.Node):
        return isinstance(node, (int, float, bool))
    if node.target in ITEM_OPS:
        return isinstance(node.args[0], torch.fx.Node) and isinstance(node.args[0].meta.get("val"), torch.Tensor)
    if node.target not in _BINARY and node.target not in _UNARY and node.target not in _CASTS:
        return False
    return all(_rebuildable(a) for a in node.args) and not node.kwargs


def _items_of(node: torch.fx.Node):
    if node.target in ITEM_OPS:
        yield node
        return
    for a in node.args:
        if isinstance(a, torch.fx.Node):
            yield from _items_of(a)


def _python_dtype(of) -> torch.dtype:
    """The dtype of the Python number that a tensor's item (or a symbolic value) is."""
    if isinstance(of, torch.dtype):
        return torch.bool if of is torch.bool else torch.float64 if of.is_floating_point else torch.int64
    return {torch.SymFloat: torch.float64, torch.SymInt: torch.int64, torch.SymBool: torch.bool}[type(of)]


def _is_float(operand) -> bool:
    if isinstance(operand, torch.fx.Node):
        return operand.meta["val"].dtype.is_floating_point
    return isinstance(operand, float)


def _range_checks_of(item: torch.fx.Node, output_node: torch.fx.Node) -> list | None:
    """The nodes, in graph order, that use `item` only to check its range (symbolic arithmetic
    and `_assert_scalar`), or None where anything else uses it."""
    found, frontier = set(), list(item.users)
    while frontier:
        node = frontier.pop()
        if node is output_node or node in found:
            continue
        range_check = node.target is torch.ops.aten._assert_scalar.default
        symbolic = (not isinstance(node.target, torch._ops.OpOverload)
                    and getattr(node.target, "__module__", None) in ("_operator", "torch", "torch.fx.experimental.sym_node"))
        if not (range_check or symbolic) or node in output_node.all_input_nodes:
            return None
        found.add(node)
        frontier.extend(node.users)
    return [n for n in item.graph.nodes if n in found]
