"""Runs a pass pipeline that mixes upstream MLIR passes and ember's Python passes.

The pipeline is expanded into steps, one pass each: upstream passes run through
`PassManager.parse`, ember passes through `PassManager.add`. Running step by step lets ember
keep the IR from before every pass, so that a failing pass leaves a reproducer (that IR plus
the failing pass), and lets `ember-opt` print IR and time every pass alike.
"""

import itertools
import os
import sys
import tempfile
import time
import traceback
import uuid
from dataclasses import dataclass, field
from typing import TextIO

from mlir import ir
from mlir.passmanager import PassManager

from ember.errors import PassError, PipelineSyntaxError
from ember.passes import registry
from ember.passes.pipeline_syntax import PipelineElement, format_pipeline, parse_pipeline

REPRODUCER_HEADER = "// ember-reproducer pipeline: "


@dataclass(frozen=True)
class Step:
    """One pass, with the op anchors it is nested in (`("func.func",)` for a function pass)."""

    anchors: tuple[str, ...]
    element: PipelineElement

    @property
    def name(self) -> str:
        return self.element.name

    @property
    def is_ember_pass(self) -> bool:
        return registry.lookup_pass(self.name) is not None

    def pipeline(self) -> str:
        text = str(self.element)
        for anchor in reversed(self.anchors):
            text = f"{anchor}({text})"
        return f"builtin.module({text})"


def expand(text: str) -> list[Step]:
    """Parses a pipeline and expands named pipelines (`ember-cpu`) into their passes."""
    elements = parse_pipeline(text)
    if len(elements) == 1 and elements[0].name == "builtin.module" and elements[0].nested is not None:
        elements = elements[0].nested
    return _expand(elements, ())


def _expand(elements: list[PipelineElement], anchors: tuple[str, ...]) -> list[Step]:
    steps = []
    for element in elements:
        named = registry.lookup_pipeline(element.name)
        if element.nested is not None:
            steps += _expand(element.nested, anchors + (element.name,))
        elif named is not None:
            accepted = _pipeline_options(named)
            options = registry.make_options(element.name, element.options, accepted)
            steps += _expand(parse_pipeline(named.build(**options)), anchors)
        else:
            steps.append(Step(anchors, element))
    return steps


def _pipeline_options(named: registry.NamedPipeline) -> dict[str, type]:
    import inspect

    return {
        p.name.replace("_", "-"): p.annotation
        for p in inspect.signature(named.build).parameters.values()
    }


@dataclass
class Instrumentation:
    """What to print while a pipeline runs (the `ember-opt` flags of the same names)."""

    print_ir_after_all: bool = False
    print_ir_before: frozenset[str] = frozenset()
    print_ir_after: frozenset[str] = frozenset()
    print_debuginfo: bool = False
    timing: bool = False
    stream: TextIO = sys.stderr
    times: list[tuple[str, float]] = field(default_factory=list)

    def dump(self, when: str, step: Step, op: ir.Operation) -> None:
        self.stream.write(f"// -----// IR Dump {when} {step.name} //----- //\n")
        self.stream.write(op.get_asm(large_elements_limit=16, enable_debug_info=self.print_debuginfo))
        self.stream.write("\n")

    def report_timing(self) -> None:
        total = sum(t for _, t in self.times) or 1e-9
        self.stream.write("===-------------------------------------------===\n")
        self.stream.write("  ember pass execution timing report\n")
        self.stream.write("===-------------------------------------------===\n")
        self.stream.write(f"  Total wall time: {total:.4f} s\n\n   Wall Time (s)  (%)    Name\n")
        for name, t in self.times:
            self.stream.write(f"   {t:10.4f}  ({100 * t / total:5.1f}%)  {name}\n")


def reproducer_dir() -> str:
    path = os.environ.get("EMBER_REPRODUCER_DIR") or os.path.join(tempfile.gettempdir(), "ember-reproducers")
    os.makedirs(path, exist_ok=True)
    return path


MAX_REPRODUCERS = 50  # the directory keeps the newest ones


def write_reproducer(op: ir.Operation, pipeline: str, label: str) -> str:
    """Writes `op` and the pipeline that fails on it to a fresh file; returns its path. The
    oldest reproducers beyond MAX_REPRODUCERS (`$EMBER_MAX_REPRODUCERS`) are removed."""
    directory = reproducer_dir()
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in label)[:60]
    path = os.path.join(directory, f"{safe}-{uuid.uuid4().hex[:8]}.mlir")
    with open(path, "w") as f:
        f.write(f"{REPRODUCER_HEADER}{pipeline}\n")
        f.write(op.get_asm(large_elements_limit=None, enable_debug_info=True))
    _prune(directory, int(os.environ.get("EMBER_MAX_REPRODUCERS", MAX_REPRODUCERS)), keep=path)
    return path


def _prune(directory: str, limit: int, keep: str) -> None:
    files = []
    for name in os.listdir(directory):
        if name.endswith(".mlir"):
            full = os.path.join(directory, name)
            try:
                files.append((os.path.getmtime(full), full))
            except OSError:  # removed meanwhile by another process
                pass
    for _, old in sorted(files)[: max(len(files) - limit, 0)]:
        if old != keep:
            try:
                os.remove(old)
            except OSError:
                pass


def read_reproducer(text: str) -> tuple[str, str]:
    """Splits a reproducer file into (pipeline, IR)."""
    first, _, rest = text.partition("\n")
    if not first.startswith(REPRODUCER_HEADER):
        raise PipelineSyntaxError(f"not an ember reproducer: its first line must start with '{REPRODUCER_HEADER}'")
    return first[len(REPRODUCER_HEADER):].strip(), rest


def _ember_pass_manager(step: Step) -> tuple[PassManager, list]:
    """A PassManager that runs one ember pass; python exceptions inside it are kept in `errors`.
    ember's passes run on the module (they find their ops themselves): one nested under an
    anchor (`func.func(ember-x)`) is refused rather than silently run on the whole module."""
    if step.anchors:
        nested = "(".join(step.anchors) + f"({step.name}" + ")" * len(step.anchors)
        raise PipelineSyntaxError(
            f"'{nested}': ember passes run on the whole module; write '{step.name}' at module level"
        )
    instance = registry.instantiate_pass(step.name, step.element.options)
    errors: list = []

    def run(op, pass_):
        try:
            instance.run(op)
        except registry.PassFailure:
            pass_.signal_pass_failure()
        except Exception as e:  # a bug in the pass: fail cleanly, keep the traceback for the report
            op.location.emit_error(f"{step.name} raised {type(e).__name__}: {e}")
            errors.append(traceback.format_exc())
            pass_.signal_pass_failure()

    manager = PassManager()
    manager.add(run, step.name)
    return manager, errors


def _upstream_pass_manager(step: Step) -> PassManager:
    try:
        return PassManager.parse(step.pipeline())
    except ValueError as e:
        raise PipelineSyntaxError(
            f"unknown pass or bad options in '{step.element}': {str(e).strip()} "
            "(ember-opt --list-passes lists the passes)"
        ) from None


def run_pipeline(
    module: ir.Module,
    pipeline: str | list[Step],
    label: str = "module",
    instrumentation: Instrumentation | None = None,
    on_step=None,
) -> None:
    """Runs `pipeline` on `module` in place. A failing pass raises PassError naming the pass,
    the diagnostics and the path of a reproducer file: the IR right before that pass, rebuilt
    from one copy taken at the start (a copy before every pass would copy the weights each time).
    `on_step(i)` is called before step i runs."""
    steps = expand(pipeline) if isinstance(pipeline, str) else pipeline
    managers = []
    with module.context:
        for step in steps:
            managers.append(_ember_pass_manager(step) if step.is_ember_pass else (_upstream_pass_manager(step), []))
        initial = module.operation.clone()
        for index, (step, (manager, errors)) in enumerate(zip(steps, managers)):
            if on_step:
                on_step(index)
            if instrumentation and (step.name in instrumentation.print_ir_before):
                instrumentation.dump("Before", step, module.operation)
            start = time.perf_counter()
            try:
                manager.run(module.operation)
            except ir.MLIRError as e:
                for earlier, _ in managers[:index]:  # they succeeded once: the same IR again
                    earlier.run(initial)
                raise _pass_error(step, initial, label, e, errors) from None
            finally:
                if instrumentation:
                    instrumentation.times.append((step.name, time.perf_counter() - start))
            _dump(step, module.operation)
            if instrumentation and (
                instrumentation.print_ir_after_all or step.name in instrumentation.print_ir_after
            ):
                instrumentation.dump("After", step, module.operation)
        initial.erase()


_DUMP_COUNTER = itertools.count(1)


def _dump(step: Step, op: ir.Operation) -> None:
    """With `$EMBER_DUMP_DIR` set, the IR after every pass goes to a numbered file there."""
    directory = os.environ.get("EMBER_DUMP_DIR")
    if not directory:
        return
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"{next(_DUMP_COUNTER):04d}-{step.name}.mlir")
    with open(path, "w") as f:
        f.write(f"// after {step.pipeline()}\n")
        f.write(op.get_asm(large_elements_limit=16, large_resource_limit=64))


def format_diagnostics(error: ir.MLIRError) -> str:
    lines = []
    for diag in error.error_diagnostics:
        lines.append(f"{diag.location}: error: {diag.message}")
        lines += [f"{note.location}: note: {note.message}" for note in diag.notes]
    return "\n".join(lines) or str(error)


def _pass_error(step: Step, before: ir.Operation, label: str, error: ir.MLIRError, python_errors: list) -> PassError:
    path = write_reproducer(before, step.pipeline(), f"{label}-{step.name}")
    before.erase()
    details = format_diagnostics(error)
    if python_errors:
        details += "\n" + python_errors[0]
    return PassError(
        f"pass '{step.name}' failed on {label}:\n{details}\n"
        f"reproducer: {path}\n  replay it with: ember-opt --run-reproducer {path}",
        reproducer=path,
    )


def pipeline_text(steps: list[Step]) -> str:
    """The textual pipeline of expanded steps."""
    return "builtin.module(" + format_pipeline([_anchored(s) for s in steps]) + ")"


def _anchored(step: Step) -> PipelineElement:
    element = step.element
    for anchor in reversed(step.anchors):
        element = PipelineElement(anchor, nested=[element])
    return element
