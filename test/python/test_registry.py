"""The pass registry stays consistent: names, one lit file per pass, and ember-opt's listing."""

import dataclasses
import pathlib
import typing

import pytest

from ember.passes import registry
from ember.tools.ember_opt import list_passes

PASS_TESTS = pathlib.Path(__file__).parent.parent / "passes"
NAMES = registry.pass_names()


def test_the_registry_is_not_empty():
    assert NAMES, "no pass is registered"


@pytest.mark.parametrize("name", NAMES)
def test_registry_key_is_the_pass_name(name):
    cls = registry.lookup_pass(name)
    assert cls is not None, f"'{name}' is registered to a module that defines no pass of that name"
    assert cls.NAME == name


@pytest.mark.parametrize("name", NAMES)
def test_pass_is_a_frozen_dataclass_with_a_kebab_name_and_one_line_summary(name):
    cls = registry.lookup_pass(name)
    assert issubclass(cls, registry.EmberPass)
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
    assert name == name.lower() and "_" not in name and " " not in name
    assert cls.SUMMARY.strip() and "\n" not in cls.SUMMARY
    # Every option has a type the pipeline syntax can convert, and a default.
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        assert hints[f.name] in (bool, int, float, str) or typing.get_origin(hints[f.name]) is tuple, f.name
        assert f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING, f.name


@pytest.mark.parametrize("name", NAMES)
def test_every_pass_has_a_lit_test(name):
    assert (PASS_TESTS / f"{name}.mlir").is_file(), f"test/passes/{name}.mlir is missing"


def test_ember_opt_lists_every_pass_and_pipeline_with_its_summary():
    listing = list_passes()
    for name, cls in registry.all_passes().items():
        assert f"  {name:<40} - {cls.SUMMARY}" in listing
    for name, pipeline in registry.all_pipelines().items():
        assert f"  {name:<40} - {pipeline.summary}" in listing
    assert "upstream MLIR passes:" in listing and "  canonicalize " in listing
