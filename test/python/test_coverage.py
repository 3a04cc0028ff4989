"""The coverage table (ember.coverage, `ember coverage`): every single-op case compiled by ember
itself (fallback="error") and compared with eager. A case that ember refuses is listed in
REFUSED with what its EmberError says; a wrong number is never acceptable (WRONG: strict xfails,
each a bug to fix)."""

import pytest

import ember
from ember import coverage

# case -> a regex of the EmberError that ember.compile(fallback="error") raises (fallback="eager" runs it)
REFUSED = {
    "index-getitem_mask-float32": "data-dependent shape",
    "index-nonzero-float32": "data-dependent shape",
    "index-masked_select-float32": "data-dependent shape",
    "index-unique-float32": "data-dependent shape",
}
# case -> the bug: ember compiles it and its numbers differ from eager"s
WRONG = {}

CASES = coverage.cases()


def _marks(case):
    return [pytest.mark.xfail(strict=True, reason=WRONG[str(case)])] if str(case) in WRONG else []


@pytest.mark.parametrize("case", [pytest.param(c, marks=_marks(c), id=str(c)) for c in CASES])
def test_single_op_matches_eager(case):
    # In-process (isolate=False: a third faster, for the suite's time); the table itself
    # (`ember coverage`) and the corpora compile isolated.
    expected = case.op.fn(*case.inputs)
    if str(case) in REFUSED:
        with pytest.raises(ember.EmberError, match=REFUSED[str(case)]):
            ember.compile(case.op.fn, case.inputs, fallback="error", isolate=False)
        return
    compiled = ember.compile(case.op.fn, case.inputs, fallback="error", isolate=False)
    coverage.assert_matches(compiled(*case.inputs), expected, case)


def test_the_table_spans_the_families():
    assert len(CASES) >= 200
    assert {"unary", "binary", "ternary", "compare", "reduce", "index", "scatter", "shape", "conv", "pool", "norm",
            "matmul", "scan", "sort", "cast"} <= {c.op.family for c in CASES}
    assert {"float32", "float16", "bfloat16", "int64", "bool"} <= {c.dtype for c in CASES}
    assert set(REFUSED) | set(WRONG) <= {str(c) for c in CASES}


def test_coverage_command(capsys):
    from ember.cli import main

    assert main(["coverage", "--family", "sort", "--dtype", "int64"]) == 0
    out = capsys.readouterr().out
    assert "sort-topk-int64" in out and "compiled" in out
    assert "2 cases, 2 ops: 2 compiled, 0 fell back, 0 failed, 0 eager raises" in out
    assert main(["coverage", "--family", "nosuch"]) == 1
    assert "no coverage case has family 'nosuch'" in capsys.readouterr().err
