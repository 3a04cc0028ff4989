"""Dynamic dims: `ember.compile(model, inputs, dynamic={"x": {0: "batch"}})`.

The user names the dims that vary, by input and axis, with a name (dims that share a name are
one dim, as in `torch.export.Dim`) or with a `torch.export.Dim` (its min and max are the range);
torch.export then captures one graph for every size in the range. This module turns that spec
into torch.export's `dynamic_shapes`, and reads back what export decided: each dim's symbol and
range, and each result size as an expression of the dims' names (Signature's shapes).
"""

from dataclasses import dataclass

import torch

from ember.errors import CaptureError, EmberError
from ember.runtime.signature import DimSpec, size_of


@dataclass(frozen=True)
class DynamicDims:
    """The parsed spec: (input position, axis) -> dim name, and each name's torch.export.Dim."""

    axes: dict  # (position, axis) -> name
    dims: dict  # name -> torch.export.Dim

    def export_shapes(self, count: int) -> tuple:
        """torch.export's `dynamic_shapes` for `count` positional inputs (the state inputs that
        follow the user's are static)."""
        shapes = [None] * count
        for (position, axis), name in self.axes.items():
            shapes[position] = {**(shapes[position] or {}), axis: self.dims[name]}
        return tuple(shapes)

    def export_examples(self, examples: tuple) -> tuple:
        """The examples torch.export needs: it specializes a dim whose example size is 0 or 1
        (and then refuses to make it dynamic), so those become the smallest size of at least 2
        in the dim's range (a size-1 example is broadcast; values do not matter to export, which
        traces with fake tensors, but a broadcast keeps them)."""
        sizes = {}
        for (position, axis), name in self.axes.items():
            if examples[position].shape[axis] < 2:
                dim = self.dims[name]
                sizes[name] = max(2, getattr(dim, "min", 0) or 0)
        if not sizes:
            return examples
        examples = list(examples)
        for (position, axis), name in self.axes.items():
            if name in sizes and examples[position].shape[axis] != sizes[name]:
                x = examples[position]
                shape = list(x.shape)
                shape[axis] = sizes[name]
                examples[position] = x.expand(shape).contiguous() if x.shape[axis] == 1 else x.new_zeros(shape)
        return tuple(examples)


def parse(spec, arg_names: list[str], examples: tuple) -> DynamicDims:
    """Checks `dynamic=` against the model's inputs; EmberError naming what is wrong."""
    if isinstance(spec, (list, tuple)):
        if len(spec) > len(arg_names):
            raise EmberError(f"dynamic= names {len(spec)} inputs; the model takes {len(arg_names)}")
        spec = {arg_names[i]: s for i, s in enumerate(spec) if s}
    if not isinstance(spec, dict):
        raise EmberError(f"dynamic= must map input names to {{axis: dim name}}, e.g. {{'x': {{0: 'batch'}}}};"
                         f" got {type(spec).__name__}")
    axes, dims = {}, {}
    for input_name, per_axis in spec.items():
        if input_name not in arg_names:
            raise EmberError(f"dynamic= names input '{input_name}'; the model's inputs are {', '.join(arg_names)}")
        position = arg_names.index(input_name)
        rank = examples[position].dim()
        if not isinstance(per_axis, dict):
            raise EmberError(f"dynamic['{input_name}'] must map axes to dim names, e.g. {{0: 'batch'}};"
                             f" got {per_axis!r}")
        for axis, dim in per_axis.items():
            if not isinstance(axis, int) or not -rank <= axis < rank:
                raise EmberError(f"dynamic['{input_name}']: axis {axis!r} is not an axis of a rank-{rank} input")
            name = _dim_name(dim, input_name)
            if name in dims and not isinstance(dim, str) and dims[name] is not dim:
                raise EmberError(f"dynamic=: two different torch.export.Dim objects are named '{name}'")
            dims.setdefault(name, torch.export.Dim(name) if isinstance(dim, str) else dim)
            axes[(position, axis % rank)] = name
    return DynamicDims(axes, dims)


def _dim_name(dim, input_name: str) -> str:
    name = dim if isinstance(dim, str) else getattr(dim, "__name__", None)
    if not isinstance(name, str) or not (isinstance(dim, str) or type(dim).__module__.startswith("torch")):
        raise EmberError(f"dynamic['{input_name}']: a dim is a name or a torch.export.Dim, got {dim!r}")
    if not name.isidentifier():
        raise EmberError(f"dynamic['{input_name}']: dim name {name!r} must be a Python identifier")
    return name


def symbol_names(program, dynamic: DynamicDims, user_inputs: list) -> tuple[dict, tuple[DimSpec, ...]]:
    """export's symbol of each dynamic dim -> its name, and each dim's range as export settled
    it (the model may narrow the user's)."""
    names = {}
    for (position, axis), name in dynamic.axes.items():
        size = user_inputs[position].meta["val"].shape[axis]
        if not isinstance(size, torch.SymInt) or not size.node.expr.is_symbol:
            raise CaptureError(f"dynamic dim '{name}' came out of torch.export as {size!r}; ember compiles dims"
                               " that are plain names (not derived dims, not specialized)")
        names.setdefault(size.node.expr, name)
    import sympy
    from torch.utils._sympy.numbers import int_oo

    specs = []
    for symbol, name in names.items():
        bounds = program.range_constraints.get(symbol)
        low = int(bounds.lower) if bounds is not None else 0
        high = bounds.upper if bounds is not None else None
        bounded = high is not None and high != int_oo and high != sympy.oo
        specs.append(DimSpec(name, max(low, 0), int(high) if bounded else None))
    return names, tuple(specs)


def size_expression(size, names: dict) -> int | str:
    """A result's size: an int, or an expression of the dims' names (checked against export's
    example value); None where it depends on values (unbacked)."""
    if not isinstance(size, torch.SymInt):
        return int(size)
    expr = size.node.expr
    if not expr.free_symbols <= set(names):
        return None
    import sympy

    text = str(expr.xreplace({symbol: sympy.Symbol(name) for symbol, name in names.items()}))
    hints = size.node.shape_env.backed_var_to_val
    example = {name: int(hints[symbol]) for symbol, name in names.items() if symbol in hints}
    try:
        value = size_of(text, example)
    except Exception as e:  # a sympy function the call path does not know
        raise CaptureError(f"a result size {expr} of the dynamic dims is not one ember evaluates: {e}") from None
    if value != int(size.node.hint):
        raise CaptureError(f"a result size {expr} evaluates to {value}, not export's {size.node.hint}")
    return text
