"""What a caller of a compiled model needs to know, independent of how it was captured.

A `Signature` names the inputs and outputs (shapes, dtypes), the output pytree and the inputs
that the model mutates. It is plain data (JSON in a saved artifact), and needs neither
torch-mlir nor MLIR; torch only to check torch tensors and rebuild the output pytree.

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


@dataclass(frozen=True)
class TensorSpec:
    """One tensor argument or result: its name, static shape and dtype (torch's name, "float32")."""

    name: str
    shape: tuple[int, ...]
    dtype: str

    def describe(self) -> str:
        return f"torch.{self.dtype} tensor of shape {list(self.shape)}"

    def to_json(self) -> dict:
        return {"name": self.name, "shape": list(self.shape), "dtype": self.dtype}

    @staticmethod
    def from_json(d: dict) -> "TensorSpec":
        return TensorSpec(d["name"], tuple(d["shape"]), d["dtype"])


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
    _input_index: dict = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_input_index", {s.name: i for i, s in enumerate(self.inputs)})

    @property
    def entry_outputs(self) -> tuple[TensorSpec, ...]:
        """The entry point's output buffers: each mutated input's new value, then the results."""
        index = self._input_index
        written = tuple(TensorSpec(f"{n}.new", self.inputs[index[n]].shape, self.inputs[index[n]].dtype)
                        for n in self.mutated_inputs)
        return written + self.outputs

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

    def check(self, args: tuple) -> list:
        """Checks call arguments against the inputs; returns them as contiguous CPU tensors (or
        C-contiguous numpy arrays). Raises InputError / InputValueError naming the argument."""
        if len(args) != len(self.inputs):
            names = ", ".join(s.name for s in self.inputs)
            raise InputError(f"{self.name} takes {len(self.inputs)} tensor arguments ({names}), got {len(args)}")
        return [self._check_one(spec, value) for spec, value in zip(self.inputs, args)]

    def _check_one(self, spec: TensorSpec, value):
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
        if shape != spec.shape:
            if len(shape) != len(spec.shape):
                expected = f"rank {len(spec.shape)}"
            else:
                expected = f"shape {list(spec.shape)}"
            raise InputValueError(f"{where}: expected {expected} (shape {list(spec.shape)}), got shape {list(shape)}")
        if device != "cpu":
            raise InputValueError(f"{where}: expected a cpu tensor, got one on {value.device}")
        if torch is not None and isinstance(value, torch.Tensor):
            value = value.resolve_conj().resolve_neg()  # a view whose sign lives in a bit, not in memory
            return value if value.is_contiguous() else value.contiguous()
        import numpy

        return numpy.ascontiguousarray(value)

    # -- results ------------------------------------------------------------------------------

    def unflatten(self, results: list):
        """The model's return value from its flat results."""
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
        )

    def __str__(self) -> str:
        args = ", ".join(f"{s.name}: {s.dtype}{list(s.shape)}" for s in self.inputs)
        results = [f"{s.dtype}{list(s.shape)}" for s in self.outputs]
        for position, value in self.constants:
            results.insert(position, repr(value))
        results = ", ".join(results)
        written = [n for n in self.mutated_inputs if n not in self.state]
        mutates = f"  (writes {', '.join(written)} in place)" if written else ""
        if self.state:
            mutates += f"  (updates its buffers {', '.join(self.state)})"
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
