"""Diagnostics for ember's tools: collected from an MLIR context, printed as
`file:line:col: error: message`, and checked against the `expected-error` comments of a test
file (`--verify-diagnostics`, with MLIR's own comment syntax).
"""

import re
from dataclasses import dataclass, field
from typing import TextIO

from mlir import ir

# MLIR attaches this note to every error unless told not to; mlir-opt turns it off when it
# verifies diagnostics, which the Python bindings cannot do, so ember-opt drops it there.
CURRENT_OPERATION_NOTE = "see current operation"

_EXPECTED = re.compile(
    r"expected-(error|warning|note|remark)(-re)?\s*(?:@([+-]\d+|above|below|unknown))?\s*\{\{(.*)\}\}\s*$"
)


def file_location(loc: ir.Location) -> tuple[str, int, int] | None:
    """The (file, line, column) that a location points at: names, call sites and fused
    locations wrap file locations; call sites point at the callee."""
    if loc.is_a_file():
        return loc.filename, loc.start_line, loc.start_col
    if loc.is_a_name():
        return file_location(loc.child_loc)
    if loc.is_a_callsite():
        return file_location(loc.callee)
    if loc.is_a_fused():
        for child in loc.locations:
            found = file_location(child)
            if found:
                return found
    return None


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # error, warning, note, remark
    file: str | None  # None: the location is unknown
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.file else "<unknown>"
        return f"{where}: {self.severity}: {self.message}"


class DiagnosticCollector:
    """Attached to a context while in a `with` block: records every diagnostic (notes as
    diagnostics of their own) and, if `echo` is given, prints it there as it comes. Locations
    in the parsed buffer (file "-") are reported under `source_name`."""

    def __init__(self, context: ir.Context, source_name: str, echo: TextIO | None = None):
        self.context = context
        self.source_name = source_name
        self.echo = echo
        self.diagnostics: list[Diagnostic] = []
        self._handle = None

    def __enter__(self) -> "DiagnosticCollector":
        self._handle = self.context.attach_diagnostic_handler(self._handle_diagnostic)
        return self

    def __exit__(self, *exc) -> None:
        self._handle.detach()

    def _handle_diagnostic(self, diag: ir.Diagnostic) -> bool:
        # The ir.Diagnostic lives only during this call: copy what it says now.
        for d in [diag, *diag.notes]:
            where = file_location(d.location)
            file, line, column = where if where else (None, 0, 0)
            if file == "-":
                file = self.source_name
            recorded = Diagnostic(str(d.severity.name).lower(), file, line, column, d.message)
            self.diagnostics.append(recorded)
            if self.echo:
                self.echo.write(f"{recorded}\n")
        return True  # handled: MLIR's default handler would print it again


@dataclass
class _Expectation:
    severity: str
    line: int | None  # None: expected at an unknown location
    text: str
    regex: re.Pattern | None
    comment_line: int
    column: int
    matched: bool = field(default=False)

    def matches(self, message: str) -> bool:
        return bool(self.regex.search(message)) if self.regex else self.text in message


def _message_regex(text: str) -> re.Pattern:
    """`expected-error-re {{a {{[0-9]+}} b}}`: literal text with `{{regex}}` parts."""
    parts = re.split(r"\{\{(.*?)\}\}", text)
    return re.compile("".join(p if i % 2 else re.escape(p) for i, p in enumerate(parts)))


def parse_expectations(source: str) -> list[_Expectation]:
    """The `// expected-<severity>[@+N|@-N|@above|@below|@unknown] {{text}}` comments in
    `source`. Without a designator the diagnostic is expected on the comment's own line; @above
    and @below skip lines that hold designators themselves, so several can stack."""
    lines = source.split("\n")
    designator_lines = {i for i, text in enumerate(lines, 1) if _EXPECTED.search(text)}
    expectations = []
    for number, text in enumerate(lines, 1):
        match = _EXPECTED.search(text)
        if not match:
            continue
        severity, is_regex, offset, message = match.groups()
        if offset is None:
            line = number
        elif offset == "unknown":
            line = None
        elif offset == "above":
            line = max((n for n in range(1, number) if n not in designator_lines), default=0)
        elif offset == "below":
            line = next((n for n in range(number + 1, len(lines) + 1) if n not in designator_lines), 0)
        else:
            line = number + int(offset)
        regex = _message_regex(message) if is_regex else None
        expectations.append(_Expectation(severity, line, message, regex, number, match.start() + 1))
    return expectations


def verify(source: str, source_name: str, diagnostics: list[Diagnostic]) -> list[str]:
    """Checks `diagnostics` against the expectations in `source`; returns the mismatches, each
    a line to print (empty when everything expected came and nothing else)."""
    expectations = parse_expectations(source)
    problems = []
    for diag in diagnostics:
        if diag.severity == "note" and diag.message.startswith(CURRENT_OPERATION_NOTE):
            continue
        line = diag.line if diag.file == source_name else None
        candidates = [
            e for e in expectations if e.severity == diag.severity and e.line == line and e.matches(diag.message)
        ]
        # An unmatched expectation first; an already matched one may absorb a repeat, as in MLIR.
        chosen = next((e for e in candidates if not e.matched), candidates[0] if candidates else None)
        if chosen:
            chosen.matched = True
        else:
            where = f"{source_name}:{diag.line}:{diag.column}" if line else "<unknown>"
            problems.append(f"{where}: error: unexpected {diag.severity}: {diag.message}")
    for e in expectations:
        if not e.matched:
            problems.append(
                f"{source_name}:{e.comment_line}:{e.column}: error: expected {e.severity} \"{e.text}\" was not produced"
            )
    return problems
