"""Partial compilation: a model that ember cannot compile whole runs as compiled segments and
eager islands (`ember.compile(..., fallback="eager")`, the default).

The model is exported (torch.export, ember's decompositions) to one FX graph; torch's
CapabilityBasedPartitioner groups the nodes that ember compiles into segments, each compiled by
`ember.compile` with its weights folded; the rest runs eagerly, op by op, in the FX graph that
calls the segments. Eager runs:
- ops outside ATen (custom ops), `copy_` into inputs and weights, ops on complex tensors that
  have no real form (ember.frontend.complex_as_real);
- data-dependent values: `.item()`'s scalars and the ops that take them, and tensors whose
  sizes depend on values (`nonzero`, `masked_select`, `unique`) with everything they feed;
- ops that torch-mlir fails to lower: a segment whose compile names the op (LoweringError.ops)
  is split again without it, round by round, until every segment compiles or names no op
  (then it runs eagerly whole, and the warning says why).
Control flow (torch.cond, torch.while_loop) compiles into scf.if/scf.while inside one module
(ember.frontend.control_flow); where the model does not compile whole, Python takes the branch
or the trip here, and each of its graphs (both branches; the loop's condition and body) is
compiled by ember in parts, so the branch not taken never runs.
One FallbackWarning names the ops that run eagerly and the user's lines.
"""

import contextlib
import operator
import warnings

import torch
from torch.fx.experimental.symbolic_shapes import free_unbacked_symbols
from torch.fx.passes.infra.partitioner import CapabilityBasedPartitioner
from torch.fx.passes.operator_support import OperatorSupportBase

from ember.errors import CaptureError, EmberError, FallbackWarning, LoweringError
from ember.frontend import complex_as_real
from ember.frontend.capture import export_graph
from ember.frontend.source_locations import source_line, user_frames_in_traceback

_ROUNDS = 8  # splits after lowering failures; each names at least one new op


def _data_dependent(value) -> bool:
    if isinstance(value, (torch.SymInt, torch.SymFloat, torch.SymBool)):
        return True
    if isinstance(value, (list, tuple)):
        return any(_data_dependent(v) for v in value)
    return isinstance(value, torch.Tensor) and bool(free_unbacked_symbols(value))


def _complex(value) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_complex(v) for v in value)
    return isinstance(value, torch.Tensor) and value.is_complex()


class EmberSupport(OperatorSupportBase):
    """The nodes ember compiles: ATen ops of static-shaped real tensors, less `refused` (the op
    names that a lowering failed on, `aten._linalg_eigh`)."""

    def __init__(self, refused: set[str]):
        super().__init__()
        self.refused = refused

    def why_not(self, node: torch.fx.Node) -> str | None:
        """None where ember compiles `node`, else the reason it runs eagerly."""
        if node.target is operator.getitem:  # follows its producer
            return self.why_not(node.args[0]) if isinstance(node.args[0], torch.fx.Node) else None
        target = node.target
        if target in _BRANCHES:
            return f"{target.__name__}: Python takes the branch or the trip; each of its graphs is compiled by ember"
        if not isinstance(target, torch._ops.OpOverload) or target.namespace not in ("aten", "prims"):
            return f"{_name(target)} is not an ATen op"
        if target.overloadpacket is torch.ops.aten.copy_:
            return "copy_ writes an input in place"
        packet = str(target.overloadpacket)
        if packet in self.refused:
            return f"torch-mlir does not lower {packet}"
        values = [node.meta.get("val")] + [a.meta.get("val") for a in node.all_input_nodes]
        if any(_data_dependent(v) for v in values):
            return f"{packet} takes or makes a data-dependent value (.item(), a size from the data)"
        if any(_complex(v) for v in values) and not complex_as_real.has_rule(target):
            return f"{packet} on complex tensors has no real form in ember yet"
        return None

    def is_node_supported(self, submodules, node: torch.fx.Node) -> bool:
        return node.op == "call_function" and self.why_not(node) is None


def _name(target) -> str:
    return str(target) if isinstance(target, torch._ops.OpOverload) else getattr(target, "__name__", str(target))


def _bind_weights(parent: torch.fx.GraphModule, call: torch.fx.Node) -> None:
    """The segment that `call` runs reads the weights it takes (get_attr nodes of the parent) as
    its own parameters and buffers, so that ember folds them into its code."""
    segment = parent.get_submodule(call.target)
    placeholders = [n for n in segment.graph.nodes if n.op == "placeholder"]
    kept = []
    for placeholder, arg in zip(placeholders, call.args):
        if not (isinstance(arg, torch.fx.Node) and arg.op == "get_attr"):
            kept.append(arg)
            continue
        name = arg.target.replace(".", "_")
        tensor = operator.attrgetter(arg.target)(parent)
        if isinstance(tensor, torch.nn.Parameter):
            segment.register_parameter(name, tensor)
        else:
            segment.register_buffer(name, tensor)
        with segment.graph.inserting_before(placeholder):
            placeholder.replace_all_uses_with(segment.graph.get_attr(name))
        segment.graph.erase_node(placeholder)
    call.args = tuple(kept)
    segment.recompile()


# Control flow: where its graphs are among the arguments, and which arguments they take.
_BRANCHES = {
    torch.ops.higher_order.cond: ((1, 2), lambda args: tuple(args[3])),
    torch.ops.higher_order.while_loop: ((0, 1), lambda args: tuple(args[2]) + tuple(args[3])),
}


class _Recorder(torch.fx.Interpreter):
    """Runs the partitioned graph eagerly once, keeping each segment's inputs and each control-flow
    graph's (torch.cond's branches, while_loop's condition and body): their example inputs."""

    def __init__(self, module, segments):
        super().__init__(module)
        self.segments, self.examples = segments, {}

    def call_module(self, target, args, kwargs):
        if target in self.segments:
            self.examples[target] = tuple(args)
        return super().call_module(target, args, kwargs)

    def run_node(self, node):
        if node.op == "call_function" and node.target in _BRANCHES:
            positions, operands = _BRANCHES[node.target]
            args = self.map_nodes_to_values(node.args, node)
            for position in positions:
                self.examples[node.args[position].target] = operands(args)
        return super().run_node(node)


def _compile_branches(parent, recorder, compile_segment, export_lock) -> dict:
    """Each graph of torch.cond and while_loop compiled by ember (in parts where it must be), in
    place of the GraphModule that the node calls: the branch not taken does not run."""
    compiled = {}
    for node in parent.graph.nodes:
        if not (node.op == "call_function" and node.target in _BRANCHES):
            continue
        for position in _BRANCHES[node.target][0]:
            target = node.args[position].target
            inputs = recorder.examples.get(target)
            if target in compiled or inputs is None or not all(isinstance(t, torch.Tensor) for t in inputs):
                continue
            graph = parent.get_submodule(target)
            try:
                compiled[target] = compile_segment(graph, inputs)
            except (CaptureError, LoweringError) as e:
                compiled[target] = compile_in_parts(graph, inputs, target, compile_segment, e, export_lock)
    return compiled


def _where(node: torch.fx.Node) -> str:
    frames = user_frames_in_traceback(node.meta.get("stack_trace") or "")
    return f" at {frames[-1]}: {source_line(frames[-1])}" if frames else ""


class PartlyCompiled:
    """A model that runs as ember-compiled segments and eager islands; call it like the model.
    `segments`: the compiled segments (CompiledModules); `eager`: (op, why, where) of each node
    that runs eagerly."""

    def __init__(self, name: str, graph: torch.fx.GraphModule, segments: dict, eager: list):
        self.name = name
        self.graph = graph
        self.segments = segments
        self.eager = eager

    def __call__(self, *args, **kwargs):
        return self.graph(*args, **kwargs)

    def save(self, path) -> None:
        raise EmberError(f"{self.name} is compiled in parts ({len(self.eager)} ops run eagerly:"
                         f" {', '.join(sorted({op for op, _, _ in self.eager}))}); only a model compiled whole"
                         " can be saved (compile it with fallback='error' to see why it is not)")

    def __repr__(self) -> str:
        return f"<ember.PartlyCompiled {self.name}: {len(self.segments)} compiled segments, {len(self.eager)} eager ops>"


def compile_in_parts(model, example_inputs, name: str, compile_segment, first_error: EmberError,
                     export_lock=contextlib.nullcontext()) -> PartlyCompiled:
    """`model` as compiled segments and eager islands. `compile_segment(module, inputs)` compiles
    one segment (`ember.compile` with fallback="error"); `first_error` is why the whole failed;
    `export_lock` is held around torch.export, which is not thread-safe."""
    example_inputs = (example_inputs,) if isinstance(example_inputs, torch.Tensor) else tuple(example_inputs)
    refused = set(getattr(first_error, "ops", ()))
    compiled_before = {}  # (segment code, input shapes) -> CompiledModule, across rounds
    for _ in range(_ROUNDS):
        with export_lock:
            graph = export_graph(model, example_inputs)
        support = EmberSupport(refused)
        partitioned = CapabilityBasedPartitioner(graph, support, allows_single_node_partition=True).partition_and_fuse()
        calls = [n for n in partitioned.graph.nodes if n.op == "call_module" and n.target.startswith("fused_")]
        for call in calls:
            _bind_weights(partitioned, call)
        partitioned.recompile()
        recorder = _Recorder(partitioned, {c.target for c in calls})
        recorder.run(*example_inputs)
        segments, eager, split_again = {}, [], False
        for call in calls:
            segment, inputs = partitioned.get_submodule(call.target), recorder.examples[call.target]
            key = (segment.code, tuple((tuple(t.shape), t.dtype) for t in inputs))
            try:
                compiled = compiled_before.get(key) or compile_segment(segment, inputs)
            except LoweringError as e:
                if set(e.ops) - refused:
                    refused |= set(e.ops)
                    split_again = True
                    continue
                eager += _segment_eager(segment, e)
                continue
            except EmberError as e:
                eager += _segment_eager(segment, e)
                continue
            compiled_before[key] = segments[call.target] = compiled
        if not split_again:
            break
    segments.update(_compile_branches(partitioned, recorder, compile_segment, export_lock))
    for target, compiled in segments.items():
        partitioned.delete_submodule(target)
        setattr(partitioned, target, compiled)
    eager += [(_name(n.target), why, _where(n)) for n in partitioned.graph.nodes
              if n.op == "call_function" and _shown(n) and (why := support.why_not(n))]
    _warn(name, eager)
    return PartlyCompiled(name, partitioned, segments, eager)


def _segment_eager(segment: torch.fx.GraphModule, error: EmberError) -> list:
    reason = f"its segment failed: {type(error).__name__}: {str(error).splitlines()[0]}"
    return [(_name(n.target), reason, _where(n)) for n in segment.graph.nodes if n.op == "call_function" and _shown(n)]


def _shown(node: torch.fx.Node) -> bool:
    """Ops, not the Python arithmetic on sizes (operator.ge, sym_size) and the asserts that export
    adds around data-dependent sizes: those run eagerly too, unnamed."""
    target = node.target
    if getattr(target, "__module__", None) in ("_operator", "operator") or target is operator.getitem:
        return False
    return not _name(target).startswith(("aten.sym_", "aten._assert", "sym_"))


def _warn(name: str, eager: list) -> None:
    if not eager:
        return
    lines = "\n".join(f"  {op}{where}: {why}" for op, why, where in dict.fromkeys(eager))
    warnings.warn(f"ember.compile({name}): these ops run eagerly (fallback='eager'; fallback='error' raises"
                  f" instead):\n{lines}", FallbackWarning, stacklevel=4)
