"""What a caller of a compiled model needs to know, independent of how it was captured.

A `Signature` names the inputs and outputs (shapes, dtypes), the output pytree and the inputs
that the model mutates. It is plain data (JSON in a saved artifact), and needs neither
torch-mlir nor MLIR; torch only to check torch tensors and rebuild the output pytree.

A dynamic dim (`ember.compile(..., dynamic=...)`) is a name in an input's shape ("batch"); its
range is in `dims`; an output's shape may hold an expression of those names ("2*batch"), which
the call evaluates to allocate the result. Every call checks each dim against its range and the
dims that share a name against each other.

The compiled entry point's calling convention (see `ember-entry-point`) follows from it: the
entry takes the inputs, then `entry_outputs` (the new values of the mutated inputs, then the
model's results), then the context's arena and thread count, and returns a status code.
"""

from dataclasses import dataclass, field

from ember.errors import InputError, InputValueError

try:
    import torch
except ImportError:  # a loaded artifact runs on numpy arrays alone
    torch = None


_COMPLEX_OF = {"float32": "complex64", "float64": "complex128", "float16": "complex32"}


@dataclass(frozen=True)
class TensorSpec:
    """One tensor argument or result: its name, shape and dtype (torch's name, "float32"). A
    shape entry is a size, or (dynamic shapes) a dim's name or an expression of dims' names.
    `complex`: the caller's tensor is complex and the compiled code sees its real view, whose
    shape and dtype these are (a trailing dim of 2: real, imaginary; torch.view_as_real).
    `item`: a result that the model returns as a Python number (`.item()`) of this 0-d tensor."""

    name: str
    shape: tuple[int | str, ...]
    dtype: str
    complex: bool = False
    item: bool = False

    @property
    def user_dtype(self) -> str:
        """The dtype of the caller's tensor ("complex64" for a complex spec)."""
        return _COMPLEX_OF[self.dtype] if self.complex else self.dtype

    @property
    def user_shape(self) -> tuple[int | str, ...]:
        return self.shape[:-1] if self.complex else self.shape

    def describe(self) -> str:
        return f"torch.{self.user_dtype} tensor of shape {_shape_text(self.user_shape)}"

    def to_json(self) -> dict:
        d = {"name": self.name, "shape": list(self.shape), "dtype": self.dtype}
        if self.complex:
            d["complex"] = True
        if self.item:
            d["item"] = True
        return d

    @staticmethod
    def from_json(d: dict) -> "TensorSpec":
        return TensorSpec(d["name"], tuple(d["shape"]), d["dtype"], bool(d.get("complex", False)),
                          bool(d.get("item", False)))


def _shape_text(shape) -> str:
    return "[" + ", ".join(str(d) for d in shape) + "]"


def _range_text(low: int, high: int | None) -> str:
    return f"[{low}, {'inf' if high is None else high}]"


@dataclass(frozen=True)
class DimSpec:
    """A dynamic dim: its name (a Python identifier, as in the shapes) and its range; `max`
    None: no upper bound."""

    name: str
    min: int
    max: int | None

    def describe(self) -> str:
        return _range_text(self.min, self.max)

    def to_json(self) -> dict:
        return {"name": self.name, "min": self.min, "max": self.max}

    @staticmethod
    def from_json(d: dict) -> "DimSpec":
        return DimSpec(d["name"], d["min"], d["max"])


# What an output size expression may call (torch.export's sympy functions, by their names).
_SIZE_FUNCTIONS = {
    "FloorDiv": lambda a, b: a // b, "CeilDiv": lambda a, b: -(-a // b), "Mod": lambda a, b: a % b,
    "PythonMod": lambda a, b: a % b, "Max": max, "Min": min, "floor": int, "ceiling": lambda a: -(-a // 1),
    "__builtins__": {},
}
_COMPILED_SIZES: dict = {}


def size_of(expression: int | str, sizes: dict) -> int:
    """A shape entry's size, given the dims' sizes."""
    if isinstance(expression, int):
        return expression
    code = _COMPILED_SIZES.get(expression)
    if code is None:
        code = _COMPILED_SIZES[expression] = compile(expression, "<size>", "eval")
    return int(eval(code, _SIZE_FUNCTIONS, sizes))  # names and the arithmetic of torch.export's sizes only


def dtype_name(dtype) -> str:
    """torch.float32 → "float32"."""
    return str(dtype).removeprefix("torch.")


@dataclass(frozen=True)
class Signature:
    """The calling contract of a compiled model."""

    name: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]  # the model's results, flattened
    out_tree: object = None  # torch's pytree TreeSpec of the results, or its JSON; None: one tensor
    mutated_inputs: tuple[str, ...] = ()  # inputs the model writes in place, in entry-output order
    # The last inputs: the model's buffers that it updates (BatchNorm's running stats in training
    # mode), by name. A compiled module passes (and updates) the model's own; a loaded file takes
    # them as trailing arguments.
    state: tuple[str, ...] = ()
    # The model's Python-constant results (`return y, x.shape[0]`): (position among the results'
    # leaves, value); the compiled code returns the tensors, the call puts these back.
    constants: tuple[tuple[int, object], ...] = ()
    dims: tuple[DimSpec, ...] = ()  # the dynamic dims, by name
    _input_index: dict = field(default=None, compare=False, repr=False)

    _dynamic_axes: tuple = field(default=(), compare=False, repr=False)
    _output_shapes: tuple = field(default=(), compare=False, repr=False)
    _item_results: bool = field(default=False, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_input_index", {s.name: i for i, s in enumerate(self.inputs)})
        ranges = {d.name: (d.min, d.max) for d in self.dims}
        axes = tuple((i, axis, entry, *ranges[entry]) for i, spec in enumerate(self.inputs)
                     for axis, entry in enumerate(spec.shape) if isinstance(entry, str))
        object.__setattr__(self, "_dynamic_axes", axes)
        object.__setattr__(self, "_output_shapes", tuple(s.shape for s in self.entry_outputs))
        object.__setattr__(self, "_item_results", any(s.item for s in self.outputs))

    @property
    def entry_outputs(self) -> tuple[TensorSpec, ...]:
        """The entry point's output buffers: each mutated input's new value, then the results."""
        index = self._input_index
        written = tuple(TensorSpec(f"{n}.new", self.inputs[index[n]].shape, self.inputs[index[n]].dtype)
                        for n in self.mutated_inputs)
        return written + self.outputs

    @property
    def is_dynamic(self) -> bool:
        return bool(self.dims)

    def dim_sizes(self, values) -> dict[str, int]:
        """The dynamic dims' sizes in checked arguments (which have the right ranks); raises
        InputValueError for a size out of its range or two sizes of one dim that differ."""
        sizes = {}
        for position, axis, name, low, high in self._dynamic_axes:
            size = values[position].shape[axis]
            known = sizes.get(name)
            if known is None:
                if size < low or high is not None and size > high:
                    raise InputValueError(f"{self._dim_where(position, axis)}: expected a size in"
                                          f" {_range_text(low, high)}, the range compiled for {name}; got {size}")
                sizes[name] = size
            elif known != size:
                first = next((p, a) for p, a, n, _, _ in self._dynamic_axes if n == name)
                raise InputValueError(f"{self._dim_where(position, axis)}: expected {known}, the size of {name} in"
                                      f" argument '{self.inputs[first[0]].name}' dim {first[1]}; got {size}")
        return sizes

    def _dim_where(self, position: int, axis: int) -> str:
        return f"argument '{self.inputs[position].name}' of {self.name}, dim {axis} ({self.inputs[position].shape[axis]})"

    def entry_output_shapes(self, sizes: dict) -> list[tuple[int, ...]]:
        """The entry's output shapes for the dims' sizes of one call."""
        return [tuple(size_of(d, sizes) for d in shape) for shape in self._output_shapes]

    @property
    def mutated_positions(self) -> tuple[int, ...]:
        return tuple(self._input_index[n] for n in self.mutated_inputs)

    # -- checking arguments -------------------------------------------------------------------

    def bind(self, args: tuple, kwargs: dict, state: tuple = ()) -> tuple:
        """Positional arguments from a call that names some inputs by keyword; `state`, if given,
        holds the values of the state inputs, which the call then does not name."""
        given = len(self.inputs) - len(state)
        if len(args) > given:
            names = ", ".join(s.name for s in self.inputs[:given])
            raise InputError(f"{self.name} takes {given} tensor arguments ({names}), got {len(args)}")
        values = list(args) + [None] * (given - len(args)) + list(state)
        for name, value in kwargs.items():
            if name not in self._input_index:
                names = ", ".join(s.name for s in self.inputs)
                raise InputError(f"{self.name} has no input named '{name}'; its inputs are: {names}")
            index = self._input_index[name]
            if index >= given:
                raise InputError(f"{self.name}: '{name}' is the model's own buffer; it is not an argument")
            if index < len(args):
                raise InputError(f"{self.name}: input '{name}' given both by position and by keyword")
            values[index] = value
        missing = [s.name for s, v in zip(self.inputs, values) if v is None]
        if missing:
            raise InputError(f"{self.name}: missing input(s) {', '.join(missing)}")
        return tuple(values)

    def check(self, args: tuple, device: str = "cpu") -> list:
        """Checks call arguments against the inputs; returns them as contiguous tensors on
        `device` (the target's: "cpu", or "cuda"), or C-contiguous numpy arrays on the CPU.
        Raises InputError / InputValueError naming the argument."""
        if len(args) != len(self.inputs):
            names = ", ".join(s.name for s in self.inputs)
            raise InputError(f"{self.name} takes {len(self.inputs)} tensor arguments ({names}), got {len(args)}")
        checked = [self._check_one(spec, value, device) for spec, value in zip(self.inputs, args)]
        if self.dims:
            self.dim_sizes(checked)
        return checked

    def _check_one(self, spec: TensorSpec, value, expected_device: str):
        if spec.complex:
            return self._check_complex(spec, value, expected_device)
        where = f"argument '{spec.name}' of {self.name}"
        if torch is not None and isinstance(value, torch.Tensor):
            if value.layout != torch.strided:
                raise InputError(f"{where}: expected a dense (strided) tensor, got one of layout {value.layout};"
                                 " convert it with .to_dense()")
            dtype, shape, device = dtype_name(value.dtype), tuple(value.shape), value.device.type
        elif type(value).__module__ == "numpy" and type(value).__name__ == "ndarray":
            dtype, shape, device = _numpy_dtype_name(value.dtype), tuple(value.shape), "cpu"
        else:
            raise InputError(f"{where}: expected a {spec.describe()}, got {type(value).__name__}")
        if dtype != spec.dtype:
            raise InputError(f"{where}: expected dtype torch.{spec.dtype}, got torch.{dtype}")
        if len(shape) != len(spec.shape) or any(isinstance(e, int) and e != d for e, d in zip(spec.shape, shape)):
            expected = f"shape {_shape_text(spec.shape)}"
            if len(shape) != len(spec.shape):
                expected = f"rank {len(spec.shape)} ({expected})"
            raise InputValueError(f"{where}: expected {expected}, got shape {list(shape)}")
        if device != expected_device:
            on = value.device if device != "cpu" or isinstance(value, torch.Tensor) else "cpu (numpy)"
            raise InputValueError(f"{where}: expected a {expected_device} tensor, got one on {on} (the module is"
                                  f" compiled for {expected_device}; ember copies nothing between devices: move it"
                                  f" with .to('{expected_device}'))")
        if torch is not None and isinstance(value, torch.Tensor):
            value = value.resolve_conj().resolve_neg()  # a view whose sign lives in a bit, not in memory
            return value if value.is_contiguous() else value.contiguous()
        import numpy

        return numpy.ascontiguousarray(value)

    def _check_complex(self, spec: TensorSpec, value, expected_device: str):
        """A complex argument, checked as the caller sees it and passed as its real view."""
        where = f"argument '{spec.name}' of {self.name}"
        if torch is not None and isinstance(value, torch.Tensor) and value.is_complex():
            if dtype_name(value.dtype) != spec.user_dtype:
                raise InputError(f"{where}: expected dtype torch.{spec.user_dtype}, got {value.dtype}")
            value = torch.view_as_real(value.resolve_conj().contiguous())
        elif type(value).__module__ == "numpy" and type(value).__name__ == "ndarray" and value.dtype.kind == "c":
            import numpy

            if str(value.dtype) != spec.user_dtype:
                raise InputError(f"{where}: expected dtype {spec.user_dtype}, got {value.dtype}")
            value = numpy.ascontiguousarray(value)
            value = value.view(spec.dtype).reshape(*value.shape, 2)
        elif hasattr(value, "dtype"):  # a real tensor or array
            raise InputError(f"{where}: expected dtype torch.{spec.user_dtype}, got {value.dtype}")
        return self._check_one(TensorSpec(spec.name, spec.shape, spec.dtype), value, expected_device)

    def complex_results(self, results: list) -> list:
        """The entry's results with each complex one as the complex tensor (or array) it holds."""
        results = list(results)
        for i, spec in enumerate(self.outputs):
            if spec.complex:
                value = results[i]
                if torch is not None and isinstance(value, torch.Tensor):
                    results[i] = torch.view_as_complex(value)
                else:
                    results[i] = value.view(spec.user_dtype)[..., 0]
        return results

    # -- results ------------------------------------------------------------------------------

    def unflatten(self, results: list):
        """The model's return value from its flat results."""
        if self._item_results:
            results = [r.item() if spec.item else r for r, spec in zip(results, self.outputs)]
        if self.constants:
            results = list(results)
            for position, value in self.constants:
                results.insert(position, value)
        if self.out_tree is None:
            return results[0]
        if torch is None:  # no pytree without torch: a flat tuple
            return tuple(results)
        import torch.utils._pytree as pytree

        spec = _treespec(self.out_tree) if isinstance(self.out_tree, str) else self.out_tree
        return pytree.tree_unflatten(results, spec)

    # -- JSON -----------------------------------------------------------------------------------

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "inputs": [s.to_json() for s in self.inputs],
            "outputs": [s.to_json() for s in self.outputs],
            "out_tree": _dump_tree(self.out_tree),
            "mutated_inputs": list(self.mutated_inputs),
            "state": list(self.state),
            "constants": [list(c) for c in self.constants],
            "dims": [d.to_json() for d in self.dims],
        }

    @staticmethod
    def from_json(d: dict) -> "Signature":
        return Signature(
            d["name"],
            tuple(TensorSpec.from_json(s) for s in d["inputs"]),
            tuple(TensorSpec.from_json(s) for s in d["outputs"]),
            d["out_tree"],
            tuple(d["mutated_inputs"]),
            tuple(d.get("state", ())),
            tuple((position, value) for position, value in d.get("constants", ())),
            tuple(DimSpec.from_json(x) for x in d.get("dims", ())),
        )

    def __str__(self) -> str:
        args = ", ".join(f"{s.name}: {s.user_dtype}{_shape_text(s.user_shape)}" for s in self.inputs)
        results = [f"{s.user_dtype}.item()" if s.item else f"{s.user_dtype}{_shape_text(s.user_shape)}"
                   for s in self.outputs]
        for position, value in self.constants:
            results.insert(position, repr(value))
        results = ", ".join(results)
        written = [n for n in self.mutated_inputs if n not in self.state]
        mutates = f"  (writes {', '.join(written)} in place)" if written else ""
        if self.state:
            mutates += f"  (updates its buffers {', '.join(self.state)})"
        if self.dims:
            mutates += "  (dims " + ", ".join(f"{d.name} in {d.describe()}" for d in self.dims) + ")"
        return f"{self.name}({args}) -> ({results}){mutates}"


_TREESPECS: dict = {}


def _treespec(text: str):
    if text not in _TREESPECS:
        import torch.utils._pytree as pytree

        _TREESPECS[text] = pytree.treespec_loads(text)
    return _TREESPECS[text]


def _dump_tree(spec) -> str | None:
    """The TreeSpec as JSON. Node types that torch cannot serialize (structseqs such as
    torch.return_types.sort, unregistered namedtuples) are saved as plain tuples."""
    if spec is None or isinstance(spec, str):
        return spec
    import torch.utils._pytree as pytree

    def plain(node):
        if node.is_leaf():
            return node
        children = [plain(c) for c in node.children()]
        known = pytree.SUPPORTED_SERIALIZED_TYPES.get(node.type)
        if known is not None and known.serialized_type_name != pytree.NO_SERIALIZED_TYPE_NAME_FOUND:
            return pytree.TreeSpec(node.type, node.context, children)
        return pytree.TreeSpec(tuple, None, children)

    return pytree.treespec_dumps(plain(spec))


def _numpy_dtype_name(dtype) -> str:
    return {"bool": "bool", "float16": "float16", "float32": "float32", "float64": "float64", "int8": "int8",
            "uint8": "uint8", "int16": "int16", "int32": "int32", "int64": "int64"}.get(str(dtype), str(dtype))
