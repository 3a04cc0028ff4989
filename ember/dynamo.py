"""`torch.compile(model, backend="ember")`: ember as a TorchDynamo backend.

Dynamo traces the Python, breaks the graph where it must (a print, `.item()` feeding Python
control flow), guards and recompiles; each FX graph it captures comes here and is compiled by
`ember.compile` (directly: ember's own torch.export of the graph does what AOT autograd's
inference path would). Registered through torch's `torch_dynamo_backends` entry point
(pyproject.toml), so installing ember is enough.

Dynamo hands the module's parameters and buffers to the backend as graph inputs. Here they
become the compiled module's own parameters and buffers again, so that ember folds them into
the code (constant folding, packing) and watches them: a call where one is another tensor or
changed in place compiles again. Buffers that the graph updates (BatchNorm in training mode)
stay inputs, as in `ember.compile`. A graph with symbolic sizes (Dynamo's automatic dynamic
shapes) is compiled once, with ember's dynamic dims, its size inputs read from the shapes they
are of (DynamicGraph); one whose sizes are not plain symbols of its inputs' shapes, once per set
of sizes that it meets (PerSize). With grad enabled and a tensor that requires it, ember (an
inference compiler) says so once and hands the graph back to Dynamo, which runs it eagerly.
"""

import logging
import warnings

import torch

from ember.errors import EmberError, StaleWeightsError

_LOG = logging.getLogger("ember")


def _weight_slots(graph: torch.fx.GraphModule) -> tuple[int, ...]:
    """The inputs that Dynamo made of a module's parameters and buffers (their source is
    `L['self']._modules['0']._parameters['weight']` and the like). Read when Dynamo hands the
    graph over: it drops that record once the backend returns."""
    slots = []
    for i, node in enumerate(n for n in graph.graph.nodes if n.op == "placeholder"):
        source = getattr(getattr(node.meta.get("grapharg"), "source", None), "name", "")
        if "._parameters[" in source or "._buffers[" in source:
            slots.append(i)
    return tuple(slots)


class _WithWeights(torch.nn.Module):
    """Dynamo's graph with some inputs bound: parameters and buffers as this module's own,
    sizes (the ints of a graph with symbolic shapes) as constants. forward takes the others."""

    def __init__(self, graph: torch.fx.GraphModule, bound: dict[int, object], arity: int, derived=None):
        super().__init__()
        self.graph = graph
        self.arity = arity
        self.sizes = {i: v for i, v in bound.items() if not isinstance(v, torch.Tensor)}
        self.weight_slots = tuple(i for i in bound if i not in self.sizes)
        # slot -> (tensor slot, axis): a size read from an input's shape (dynamic dims), not bound
        self.derived = derived or {}
        for i in self.weight_slots:
            if isinstance(bound[i], torch.nn.Parameter):
                self.register_parameter(f"w{i}", bound[i])
            else:
                self.register_buffer(f"w{i}", bound[i])

    def forward(self, *inputs):
        args, rest = [], iter(inputs)
        for i in range(self.arity):
            if i in self.derived:
                args.append(None)  # filled below, from the tensor it is a size of
            elif i in self.sizes:
                args.append(self.sizes[i])
            else:
                args.append(getattr(self, f"w{i}") if i in self.weight_slots else next(rest))
        for i, (slot, axis) in self.derived.items():
            args[i] = args[slot].shape[axis]
        return self.graph(*args)


class DynamoGraph:
    """One graph of Dynamo's, compiled by ember for one set of sizes; called by Dynamo with all
    of the graph's inputs."""

    def __init__(self, graph: torch.fx.GraphModule, example_inputs, threads: int, weight_slots=None):
        self.graph = graph
        self.threads = threads
        self.weight_slots, self.size_slots, self.input_slots = _slots(graph, example_inputs, weight_slots)
        self.compiled = self._compile(list(example_inputs))

    def _compile(self, args):
        import ember

        self.weights = tuple(args[i] for i in self.weight_slots)
        bound = {i: args[i] for i in (*self.weight_slots, *self.size_slots)}
        module = _WithWeights(self.graph, bound, len(args))
        # Outside Dynamo's tracing context: ember's own torch.export of the graph would otherwise
        # take up Dynamo's guards on the frame (`L['y']...`) and fail on them.
        with torch._guards.tracing(None):
            return ember.compile(module, tuple(args[i] for i in self.input_slots), threads=self.threads)

    def __call__(self, *args):
        weights = self.weights
        for slot, weight in zip(self.weight_slots, weights):
            if args[slot] is not weight:  # a Parameter assigned anew: compile for the new one
                return self._recompile(args)
        try:
            return self.compiled(*[args[i] for i in self.input_slots])
        except StaleWeightsError:  # changed in place (an optimizer step, load_state_dict)
            return self._recompile(args)

    def _recompile(self, args):
        _LOG.info("ember backend: a parameter or buffer changed; compiling %s again", self.compiled.name)
        self.compiled = self._compile(list(args))
        return self(*args)


def _slots(graph: torch.fx.GraphModule, example_inputs, weight_slots=None) -> tuple[tuple, tuple, tuple]:
    """The graph's inputs by kind: (weights, sizes, the tensors a call passes on)."""
    weights = _weight_slots(graph) if weight_slots is None else weight_slots
    sizes = tuple(i for i, v in enumerate(example_inputs) if not isinstance(v, torch.Tensor))
    inputs = tuple(i for i in range(len(example_inputs)) if i not in weights and i not in sizes)
    return weights, sizes, inputs


def _dynamic_dims(graph: torch.fx.GraphModule, input_slots: tuple, size_slots: tuple):
    """For a graph with symbolic sizes: each size input as (tensor slot, axis) of an input
    tensor that has it, and each input tensor's symbolic axes by symbol name (ember.compile's
    `dynamic`); None where a size is not a plain symbol of some input's shape."""
    placeholders = [n for n in graph.graph.nodes if n.op == "placeholder"]
    where, spec = {}, []
    for slot in input_slots:
        value = placeholders[slot].meta.get("example_value")
        axes = {}
        for axis, size in enumerate(getattr(value, "shape", ())):
            if isinstance(size, torch.SymInt) and not size.node.expr.is_number:  # (512 may be a SymInt too)
                if not size.node.expr.is_symbol:
                    return None  # a derived size (2 * s0): ember's dims are plain names
                axes[axis] = str(size.node.expr)
                where.setdefault(str(size.node.expr), (slot, axis))
        spec.append(axes)
    derived = {}
    for slot in size_slots:
        value = placeholders[slot].meta.get("example_value")
        if not isinstance(value, torch.SymInt) or str(value.node.expr) not in where:
            return None
        derived[slot] = where[str(value.node.expr)]
    return derived, spec


class DynamicGraph(DynamoGraph):
    """A graph with symbolic sizes (Dynamo's automatic dynamic shapes, `dynamic=True`) compiled
    once, on its first call, with ember's dynamic dims: one module for every size Dynamo sends
    it (Dynamo guards and recompiles for the sizes it specializes, 0 and 1)."""

    def __init__(self, graph: torch.fx.GraphModule, example_inputs, threads: int, dims):
        self.graph, self.threads = graph, threads
        self.weight_slots, self.size_slots, self.input_slots = _slots(graph, example_inputs)
        self.derived, self.spec = dims
        self.compiled = None

    def _compile(self, args):
        import ember

        self.weights = tuple(args[i] for i in self.weight_slots)
        bound = {i: args[i] for i in self.weight_slots}
        module = _WithWeights(self.graph, bound, len(args), self.derived)
        with torch._guards.tracing(None):
            return ember.compile(module, tuple(args[i] for i in self.input_slots), threads=self.threads,
                                 dynamic=self.spec)

    def __call__(self, *args):
        if self.compiled is None:
            try:
                self.compiled = self._compile(list(args))
            except EmberError as e:  # as for any graph ember does not compile: eager, said once
                _warn_once(str(e), f"torch.compile(backend='ember'): this graph runs eagerly: {type(e).__name__}: {e}")
                self.compiled = self.graph.forward
                self.weight_slots, self.input_slots, self.weights = (), tuple(range(len(args))), ()
        return super().__call__(*args)


class PerSize:
    """A graph with symbolic sizes (Dynamo's automatic dynamic shapes, `dynamic=True`): ember
    compiles static shapes, so each new set of sizes gets its own DynamoGraph, kept for reuse.
    Compiled on the call that meets the sizes: Dynamo's example sizes are SymInts, not numbers."""

    def __init__(self, graph: torch.fx.GraphModule, example_inputs, threads: int):
        self.graph, self.threads, self.by_size = graph, threads, {}
        self.weight_slots = _weight_slots(graph)

    def __call__(self, *args):
        key = tuple(a.shape if isinstance(a, torch.Tensor) else a for a in args)
        compiled = self.by_size.get(key)
        if compiled is None:
            compiled = self.by_size[key] = _compiled_or_eager(DynamoGraph, self.graph, args, self.threads,
                                                                      self.weight_slots)
            _LOG.info("ember backend: compiled for sizes %s (%d so far)", key, len(self.by_size))
        return compiled(*args)


_WARNED = set()


def _warn_once(key: str, message: str) -> None:
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, stacklevel=3)


def ember_backend(graph: torch.fx.GraphModule, example_inputs, options: dict | None = None, mode=None):
    """The Dynamo backend: a callable that runs `graph` compiled by ember, or `graph` itself
    (eager, with a warning naming why) where ember does not compile it. `torch.compile(...,
    options={"threads": n})` sets the threads of each call; `mode` is ignored (one mode)."""
    options = dict(options or {})
    threads = options.pop("threads", None)  # None: eager's count at each call
    if options:
        raise EmberError(f"torch.compile(backend='ember') takes options {{'threads': n}}; got {sorted(options)}")
    if torch.is_grad_enabled() and any(isinstance(v, torch.Tensor) and v.requires_grad for v in example_inputs):
        _warn_once("grad", "torch.compile(backend='ember'): ember compiles inference only; with grad enabled"
                   " the graph runs eagerly (run under torch.no_grad() or torch.inference_mode() to compile it)")
        return graph.forward
    symbolic = any(not isinstance(v, torch.Tensor) for v in example_inputs)
    if not symbolic:
        return _compiled_or_eager(DynamoGraph, graph, example_inputs, threads)
    _, sizes, inputs = _slots(graph, example_inputs)
    dims = _dynamic_dims(graph, inputs, sizes)
    if dims is None:
        return _compiled_or_eager(PerSize, graph, example_inputs, threads)
    return _compiled_or_eager(DynamicGraph, graph, example_inputs, threads, dims)


def _compiled_or_eager(kind, graph, example_inputs, threads, *more):
    try:
        runner = kind(graph, example_inputs, threads, *more)
    except EmberError as e:
        _warn_once(str(e), f"torch.compile(backend='ember'): this graph runs eagerly: {type(e).__name__}: {e}")
        return graph.forward

    # A plain function: Dynamo's call of a callable object (or a bound method) costs ~2x more
    # (MLP b1: 66 µs per call against 30).
    def run(*args):
        return runner(*args)

    run.ember = runner  # for inspection: the DynamoGraph or PerSize behind it
    return run
