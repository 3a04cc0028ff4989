"""`ember-opt`: ember's `mlir-opt`. Parses a .mlir file (or stdin) in a context that carries the
ember dialect, runs a pipeline that mixes ember's Python passes, its named pipelines
(`ember-cpu`) and upstream MLIR passes, and prints the result.

    ember-opt in.mlir --pass-pipeline='builtin.module(ember-cpu)' -o out.mlir
    ember-opt --split-input-file --verify-diagnostics invalid.mlir
    ember-opt --run-reproducer /tmp/ember-reproducers/model-one-shot-bufferize-1a2b3c4d.mlir
    ember-opt --list-passes

The pipeline runs through `ember.passes.pass_manager.run_pipeline`, the runner behind
`ember.compile`, so a failing pass leaves the same reproducer file in both.
"""

import argparse
import dataclasses
import functools
import inspect
import os
import re
import subprocess
import sys
import typing
from typing import TextIO

from mlir import ir

from ember.dialects import new_context
from ember.errors import EmberError, PassError
from ember.passes import registry
from ember.passes.pass_manager import Instrumentation, read_reproducer, run_pipeline
from ember.tools.diagnostics import DiagnosticCollector, verify

SPLIT_MARKER = "// -----"
_SPLIT_LINE = re.compile(r"^// -----\s*$", re.MULTILINE)


@dataclasses.dataclass
class Chunk:
    """One piece of the input: its text and the line of the input it starts at (0-based)."""

    text: str
    first_line: int = 0

    def padded(self) -> str:
        # Blank lines in front keep line numbers, and so diagnostics, those of the whole input.
        return "\n" * self.first_line + self.text


def split_input(text: str) -> list[Chunk]:
    chunks, start, first_line = [], 0, 0
    for marker in _SPLIT_LINE.finditer(text):
        chunks.append(Chunk(text[start : marker.start()], first_line))
        first_line += text.count("\n", start, marker.end()) + 1
        start = marker.end() + 1
    chunks.append(Chunk(text[start:], first_line))
    return chunks


class EmberOptMain:
    """The driver. Subclasses may override `register_arguments` and `make_context` to add
    flags or dialects."""

    def __init__(self, argv: list[str] | None = None, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr):
        parser = argparse.ArgumentParser(prog="ember-opt", description=__doc__.split("\n\n")[0])
        self.register_arguments(parser)
        self.args = parser.parse_args(argv)
        self.stdout, self.stderr = stdout, stderr

    def register_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("input", nargs="?", default="-", help="the .mlir file to read ('-' or nothing: stdin)")
        parser.add_argument("-o", dest="output", default="-", help="where to write the result (default: stdout)")
        parser.add_argument("--pass-pipeline", default="", help="the pipeline to run, e.g. 'builtin.module(ember-cpu)'")
        parser.add_argument("--list-passes", action="store_true", help="list ember's passes, named pipelines and upstream passes")
        parser.add_argument("--print-ir-after-all", action="store_true", help="print the IR after every pass (to stderr)")
        parser.add_argument("--print-ir-before", action="append", default=[], metavar="NAME", help="print the IR before pass NAME")
        parser.add_argument("--print-ir-after", action="append", default=[], metavar="NAME", help="print the IR after pass NAME")
        parser.add_argument("--split-input-file", action="store_true", help=f"process each '{SPLIT_MARKER}' chunk on its own")
        parser.add_argument("--verify-diagnostics", action="store_true", help="check diagnostics against expected-error comments")
        parser.add_argument("--mlir-print-debuginfo", action="store_true", help="print locations")
        parser.add_argument("--mlir-elide-elementsattrs-if-larger", type=int, default=None, metavar="N",
                            help="print constants with more than N elements elided")
        parser.add_argument("--allow-unregistered-dialect", action="store_true", help="accept ops of unknown dialects")
        parser.add_argument("--timing", action="store_true", help="report the wall time of every pass (to stderr)")
        parser.add_argument("--run-reproducer", metavar="FILE", help="replay a reproducer that a failing pass wrote")

    def make_context(self) -> ir.Context:
        context = new_context()
        context.allow_unregistered_dialects = self.args.allow_unregistered_dialect
        # Every diagnostic goes to ember-opt's handler, errors included, so that they print
        # in order and --verify-diagnostics sees them all.
        context.emit_error_diagnostics = True
        return context

    def run(self) -> int:
        args = self.args
        if args.list_passes:
            self.stdout.write(list_passes())
            return 0
        try:
            source_name, text, pipeline = self.read_input()
        except (OSError, EmberError) as e:
            self.stderr.write(f"ember-opt: error: {e}\n")
            return 2
        chunks = split_input(text) if args.split_input_file else [Chunk(text)]
        outputs, ok = [], True
        for chunk in chunks:
            output, chunk_ok = self.process(chunk, source_name, pipeline, whole_file=len(chunks) == 1)
            ok &= chunk_ok
            if output is not None:
                outputs.append(output)
        result = f"{SPLIT_MARKER}\n".join(outputs)
        if args.output == "-":
            self.stdout.write(result)
        else:
            with open(args.output, "w") as f:
                f.write(result)
        return 0 if ok else 1

    def read_input(self) -> tuple[str, str, str]:
        """(name for diagnostics, text, pipeline)."""
        args = self.args
        if args.run_reproducer:
            if args.pass_pipeline:
                raise EmberError("--run-reproducer takes the pipeline from the reproducer; drop --pass-pipeline")
            with open(args.run_reproducer) as f:
                pipeline, text = read_reproducer(f.read())
            return args.run_reproducer, text, pipeline
        if args.input == "-":
            return "<stdin>", sys.stdin.read(), args.pass_pipeline
        with open(args.input) as f:
            return args.input, f.read(), args.pass_pipeline

    def process(self, chunk: Chunk, source_name: str, pipeline: str, whole_file: bool) -> tuple[str | None, bool]:
        """Parses and transforms one chunk; returns (printed IR or None on failure, success)."""
        args = self.args
        context = self.make_context()
        echo = None if args.verify_diagnostics else self.stderr
        with context, DiagnosticCollector(context, source_name, echo) as collector:
            module = self.parse(chunk, source_name, whole_file)
            failure = None
            if module is not None and pipeline:
                instrumentation = Instrumentation(
                    print_ir_after_all=args.print_ir_after_all,
                    print_ir_before=frozenset(args.print_ir_before),
                    print_ir_after=frozenset(args.print_ir_after),
                    print_debuginfo=args.mlir_print_debuginfo,
                    timing=args.timing,
                    stream=self.stderr,
                )
                try:
                    run_pipeline(module, pipeline, label=os.path.basename(source_name), instrumentation=instrumentation)
                except PassError as e:
                    failure = e
                except EmberError as e:  # a bad pipeline: no chunk can succeed
                    self.stderr.write(f"ember-opt: error: {e}\n")
                    return None, False
                finally:
                    if args.timing:
                        instrumentation.report_timing()
            output = None
            if module is not None and failure is None:
                output = module.operation.get_asm(
                    enable_debug_info=args.mlir_print_debuginfo,
                    large_elements_limit=args.mlir_elide_elementsattrs_if_larger,
                )
        if args.verify_diagnostics:
            problems = verify(chunk.padded(), source_name, collector.diagnostics)
            if failure and not collector.diagnostics:
                problems.append(f"{source_name}: error: {failure}")  # a pass failed without saying where
            for problem in problems:
                self.stderr.write(problem + "\n")
            return output, not problems
        if failure:
            self.stderr.write(f"{source_name}: error: {failure}\n")
        return output, output is not None

    def parse(self, chunk: Chunk, source_name: str, whole_file: bool) -> ir.Module | None:
        try:
            if whole_file and os.path.isfile(source_name) and not self.args.run_reproducer:
                return ir.Module.parseFile(source_name)  # locations carry the file's name
            return ir.Module.parse(chunk.padded())
        except ir.MLIRError:
            return None  # the collector has the diagnostics


def _type_name(annotation) -> str:
    if typing.get_origin(annotation) is tuple:
        return f"list of {typing.get_args(annotation)[0].__name__}"
    return getattr(annotation, "__name__", str(annotation))


def _format_default(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _ember_pass_lines() -> list[str]:
    lines = []
    for name, cls in registry.all_passes().items():
        lines.append(f"  {name:<40} - {cls.SUMMARY}")
        hints = typing.get_type_hints(cls)
        for key, f in registry.option_fields(cls).items():
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            lines.append(f"      {key}=<{_type_name(hints[f.name])}> (default: {_format_default(default)})")
    return lines


def _pipeline_lines() -> list[str]:
    lines = []
    for name, named in registry.all_pipelines().items():
        lines.append(f"  {name:<40} - {named.summary}")
        for p in inspect.signature(named.build).parameters.values():
            lines.append(f"      {p.name.replace('_', '-')}=<{_type_name(p.annotation)}> (default: {_format_default(p.default)})")
    return lines


@functools.cache
def upstream_passes() -> dict[str, list[tuple[str, str]]]:
    """Upstream passes and pass pipelines, by section, read from the wheel's `mlir-opt --help`
    (the bindings register the same passes but cannot list them)."""
    mlir_opt = os.path.join(os.path.dirname(ir.__file__), "bin", "mlir-opt")
    help_text = subprocess.run([mlir_opt, "--help"], capture_output=True, text=True, check=True).stdout
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in help_text.splitlines():
        if line.strip() in ("Passes:", "Pass Pipelines:"):
            current = sections.setdefault(line.strip().rstrip(":"), [])
        elif current is not None and not line.startswith("    "):
            current = None  # the end of the pass listing
        elif current is not None:
            entry = re.match(r"^      --([\w-]+)\S*\s+-\s+(.*)$", line)
            if entry:
                current.append(entry.groups())
    return sections


def list_passes() -> str:
    lines = ["ember passes:", *_ember_pass_lines(), "", "ember pipelines:", *_pipeline_lines(), ""]
    for section, entries in upstream_passes().items():
        lines.append(f"upstream MLIR {section.lower()}:")
        lines += [f"  {name:<40} - {summary}" for name, summary in entries]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return EmberOptMain(argv).run()


if __name__ == "__main__":
    sys.exit(main())
