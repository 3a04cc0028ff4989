"""MLIR's textual pass-pipeline syntax: `builtin.module(a, b{x=1 y=2}, func.func(c))`.

The bindings parse pipelines only into a PassManager and reject names they do not know, so
ember needs its own small parser to find its Python passes inside a mixed pipeline.
"""

from dataclasses import dataclass

from ember.errors import PipelineSyntaxError


@dataclass
class PipelineElement:
    """One pass (`name{options}`) or one op anchor with nested elements (`func.func(...)`)."""

    name: str
    options: str = ""  # the text between the braces, unparsed
    nested: list["PipelineElement"] | None = None  # set for an op anchor

    def __str__(self) -> str:
        text = self.name + (f"{{{self.options}}}" if self.options else "")
        if self.nested is not None:
            text += "(" + ",".join(str(e) for e in self.nested) + ")"
        return text


def parse_pipeline(text: str) -> list[PipelineElement]:
    """Parses a comma-separated list of pipeline elements."""
    parser = _Parser(text)
    elements = parser.elements()
    if parser.pos != len(text):
        parser.fail("unexpected text")
    return elements


def format_pipeline(elements: list[PipelineElement]) -> str:
    return ",".join(str(e) for e in elements)


def parse_options(text: str) -> dict[str, str]:
    """`a=1 b=x,y c={nested}` → {"a": "1", "b": "x,y", "c": "{nested}"}; a bare key means true."""
    options: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        end = pos
        while end < len(text) and not text[end].isspace() and text[end] != "=":
            end += 1
        key = text[pos:end]
        if end < len(text) and text[end] == "=":
            value_start = end = end + 1
            depth = 0
            while end < len(text) and (depth or not text[end].isspace()):
                depth += {"{": 1, "[": 1, "}": -1, "]": -1}.get(text[end], 0)
                end += 1
            options[key] = text[value_start:end]
        else:
            options[key] = "true"
        pos = end
    return options


@dataclass
class _Parser:
    text: str
    pos: int = 0

    def fail(self, what: str):
        raise PipelineSyntaxError(
            f"bad pass pipeline: {what} at column {self.pos + 1}:\n  {self.text}\n  {' ' * self.pos}^"
        )

    def skip_space(self):
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def elements(self) -> list[PipelineElement]:
        result = []
        self.skip_space()
        if self.pos < len(self.text) and self.text[self.pos] == ")":
            return result
        while True:
            result.append(self.element())
            self.skip_space()
            if self.pos < len(self.text) and self.text[self.pos] == ",":
                self.pos += 1
                continue
            return result

    def element(self) -> PipelineElement:
        self.skip_space()
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "-_."):
            self.pos += 1
        name = self.text[start : self.pos]
        if not name:
            self.fail("expected a pass or op name")
        element = PipelineElement(name)
        self.skip_space()
        if self.pos < len(self.text) and self.text[self.pos] == "{":
            depth, start = 0, self.pos
            while self.pos < len(self.text):
                depth += {"{": 1, "}": -1}.get(self.text[self.pos], 0)
                self.pos += 1
                if depth == 0:
                    break
            if depth:
                self.fail("unclosed '{'")
            element.options = self.text[start + 1 : self.pos - 1].strip()
            self.skip_space()
        if self.pos < len(self.text) and self.text[self.pos] == "(":
            self.pos += 1
            element.nested = self.elements()
            self.skip_space()
            if self.pos >= len(self.text) or self.text[self.pos] != ")":
                self.fail("expected ')'")
            self.pos += 1
        return element
