"""The public API's docstrings: numpydoc sections present, and their Examples run.

Every function reachable as ``dd.<name>`` (from ``dalian_data._EXPORTS``) must
document its parameters, what it returns and an example; the examples are
run as doctests here, so a docstring that drifts from the data fails.
"""

from __future__ import annotations

import doctest
import inspect
import io
import re

import pandas as pd
import pytest

import dalian_data as dd

# numpydoc's section order; a docstring may leave sections out, not reorder them
SECTION_ORDER = ("Parameters", "Returns", "Yields", "Raises", "Warns", "See Also", "Notes", "References",
                 "Examples")
DOCTEST_FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def public_functions() -> dict[str, object]:
    """Every function of the flat API, by public name (classes and constants left out)."""
    found = {}
    for name in sorted(dd._EXPORTS):
        obj = getattr(dd, name)
        if inspect.isfunction(inspect.unwrap(obj)):
            found[name] = inspect.unwrap(obj)
    return found


FUNCTIONS = public_functions()


def sections(doc: str) -> dict[str, list[str]]:
    """The numpydoc sections of ``doc``: header (a title underlined by as many dashes) -> its lines."""
    lines = inspect.cleandoc(doc).splitlines()
    found: dict[str, list[str]] = {}
    current = None
    i = 0
    while i < len(lines):
        title = lines[i].strip()
        underline = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if title and re.fullmatch(r"-+", underline) and len(underline) == len(title) and not lines[i].startswith(" "):
            assert title in SECTION_ORDER, f"unknown numpydoc section {title!r}"
            assert title not in found, f"section {title!r} appears twice"
            current = found.setdefault(title, [])
            i += 2
            continue
        if current is not None:
            current.append(lines[i])
        i += 1
    return found


def entry_names(section: list[str]) -> list[str]:
    """The names an entry list documents: its unindented lines, up to `` : type``."""
    names = []
    for line in section:
        if line and not line.startswith(" "):
            for name in line.split(" : ")[0].split(","):
                names.append(name.strip().lstrip("*"))
    return names


def signature_names(func) -> list[str]:
    return list(inspect.signature(func).parameters)


def test_the_flat_api_has_the_documented_functions():
    # a guard on public_functions(): a lost function would silently shrink what is checked
    assert {"report_text", "quantities", "figures", "measures", "derived", "validate_parameters", "export",
            "read_export"} <= set(FUNCTIONS)
    assert len(FUNCTIONS) == 16


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_docstring_has_numpydoc_sections(name):
    func = FUNCTIONS[name]
    doc = func.__doc__ or ""
    summary = inspect.cleandoc(doc).splitlines()[0] if doc.strip() else ""
    assert summary and not summary.startswith(" "), f"dd.{name}: no one-line summary"
    found = sections(doc)
    required = ["Returns", "Examples"] + (["Parameters"] if signature_names(func) else [])
    missing = [s for s in required if s not in found]
    assert not missing, f"dd.{name}: docstring lacks the numpydoc section(s) {missing}"
    order = [s for s in SECTION_ORDER if s in found]
    assert list(found) == order, f"dd.{name}: sections {list(found)} are not in numpydoc's order {order}"
    if "Parameters" in found:
        assert entry_names(found["Parameters"]) == signature_names(func), (
            f"dd.{name}: Parameters documents {entry_names(found['Parameters'])}, "
            f"the signature has {signature_names(func)}")
    assert entry_names(found["Returns"]), f"dd.{name}: Returns names no value and type"
    assert any(line.lstrip().startswith(">>> ") for line in found["Examples"]), f"dd.{name}: Examples has no doctest"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_docstring_examples_run(name):
    tests = doctest.DocTestFinder(recurse=False).find(FUNCTIONS[name], f"dd.{name}", globs={})
    assert tests and tests[0].examples, f"dd.{name}: no doctest examples found"
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=DOCTEST_FLAGS)
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        for test in tests:
            runner.run(test, out=report.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, report.getvalue()


def test_sections_finds_a_removed_section_missing():
    # the parser must not see a section that is gone, or the test above could not fail
    doc = FUNCTIONS["figures"].__doc__
    assert "Returns" in sections(doc)
    without = re.sub(r"\n *Returns\n *-------\n", "\n", doc)
    assert "Returns" not in sections(without)
