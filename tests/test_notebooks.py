"""Structure of the committed notebooks: parameters, validation, executed outputs, no retyped numbers.

nbval (``pytest --nbval``) proves the stored outputs are what the code
produces; these tests prove the notebooks are built the way papermill, the
CLI and a reader rely on, without starting a kernel.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from pathlib import Path

import nbformat
import pytest

import dalian_data as dd
from dalian_data.notebook import formatting, sections
from dalian_data.run.normalise import INJECTED_TAG, KERNELSPEC, VOLATILE_CELL_KEYS, VOLATILE_NOTEBOOK_KEYS
from dalian_data.parameters import RULES

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
INDICATORS = [str(i) for i in dd.indicators()["indicator_id"]]
NAMES = ["00_overview", *(sections.notebook_name(i) for i in INDICATORS)]
REQUIRED = {"lang": "zh", "population": dd.DALIAN_POPULATION_2020, "figure_dir": None, "decimals": 1}


def _load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=nbformat.NO_CONVERT)


@pytest.fixture(scope="module", params=NAMES)
def notebook(request) -> tuple[str, nbformat.NotebookNode]:
    return request.param, _load(request.param)


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _parameters_cell(nb) -> tuple[int, nbformat.NotebookNode]:
    found = [(i, c) for i, c in enumerate(nb.cells) if "parameters" in _tags(c)]
    assert len(found) == 1, "exactly one cell tagged 'parameters'"
    return found[0]


def _defaults(nb) -> dict[str, object]:
    _i, cell = _parameters_cell(nb)
    return {node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse(cell.source).body}


def test_all_seven_notebooks_exist_and_no_more():
    assert sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb")) == sorted(NAMES)


def test_no_file_in_notebooks_shadows_a_stdlib_module():
    for path in NOTEBOOK_DIR.iterdir():
        assert path.stem not in sys.stdlib_module_names, path.name


def test_parameters_cell_holds_only_commented_literal_assignments(notebook):
    _name, nb = notebook
    _i, cell = _parameters_cell(nb)
    assert cell.cell_type == "code"
    for node in ast.parse(cell.source).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name), (
            f"not a simple assignment: {ast.unparse(node)}")
        ast.literal_eval(node.value)  # raises for anything but a literal
    comments = {tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(cell.source).readline)
                if tok.type == tokenize.COMMENT}
    assert comments == set(range(1, len(cell.source.splitlines()) + 1)), "every parameter line has a comment"


def test_parameter_defaults(notebook):
    _name, nb = notebook
    defaults = _defaults(nb)
    assert {k: defaults[k] for k in REQUIRED} == REQUIRED
    assert defaults["population"] == dd.DALIAN_POPULATION_2020
    assert set(defaults) <= set(RULES), "every parameter has a validation rule"
    dd.validate_parameters(**defaults)


def _next_code_cell(nb, index: int):
    for cell in nb.cells[index + 1:]:
        if cell.cell_type == "code" and INJECTED_TAG not in _tags(cell):
            return cell
    raise AssertionError("no code cell after the parameters")


def test_the_next_cell_validates_every_parameter_in_one_call(notebook):
    _name, nb = notebook
    index, _cell = _parameters_cell(nb)
    calls = [node for node in ast.walk(ast.parse(_next_code_cell(nb, index).source))
             if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None))
             == "validate_parameters"]
    assert len(calls) == 1
    assert {kw.arg for kw in calls[0].keywords} == set(_defaults(nb))


def test_a_bad_value_fails_in_the_validation_cell_with_a_clear_message(notebook):
    _name, nb = notebook
    index, cell = _parameters_cell(nb)
    namespace: dict[str, object] = {}
    exec(cell.source, namespace)  # noqa: S102 - the notebook's own literal assignments
    namespace["lang"] = "fr"  # what `papermill ... -p lang fr` injects
    with pytest.raises(ValueError, match=r"parameter 'lang' is 'fr'; allowed: 'zh' or 'en'"):
        exec(_next_code_cell(nb, index).source, namespace)  # noqa: S102


def test_outputs_are_committed_clean_and_normalised(notebook):
    name, nb = notebook
    assert nb.metadata["kernelspec"] == KERNELSPEC
    assert not set(VOLATILE_NOTEBOOK_KEYS) & set(nb.metadata)
    counts = []
    for cell in nb.cells:
        assert not set(VOLATILE_CELL_KEYS) & set(cell.get("metadata", {})), f"{name}: run metadata left"
        assert INJECTED_TAG not in _tags(cell), f"{name}: committed with injected parameters"
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, f"{name}: a code cell was not executed"
        counts.append(cell.execution_count)
        for output in cell.outputs:
            assert output.output_type != "error", f"{name}: {output.get('ename')}"
            assert not (output.output_type == "stream" and output.name == "stderr"), f"{name}: stderr output"
            text = str(output.get("text", "")) + "".join(str(v) for v in output.get("data", {}).values()
                                                         if not isinstance(v, dict))
            plain = str(output.get("data", {}).get("text/plain", "")) + str(output.get("text", ""))
            assert not re.search(r"\b0x[0-9a-f]{6,}", plain), f"{name}: a memory address in an output"
            assert "Warning" not in plain, f"{name}: a warning in an output"
            assert text
    assert counts == list(range(1, len(counts) + 1)), f"{name}: not executed top to bottom in one run"


def test_no_markdown_cell_retypes_a_figure(notebook):
    name, nb = notebook
    quotes = set(dd.figures()["quote"])
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            hits = [q for q in quotes if q in cell.source]
            assert not hits, f"{name}: markdown retypes {hits}; render numbers with code"


def test_setup_cell_uses_house_style_and_strict_glyphs(notebook):
    _name, nb = notebook
    index, _cell = _parameters_cell(nb)
    validation = _next_code_cell(nb, index)
    setup = _next_code_cell(nb, nb.cells.index(validation))
    for call in ("use_house_style()", "glyph_warnings_as_errors()", "set_display_options()"):
        assert call in setup.source


def _chart_cells(nb) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code" and "charts.show(" in c.source]


def test_charts_are_shown_once_each_as_a_png_with_alt_text():
    for name in NAMES:
        cells = _chart_cells(_load(name))
        assert cells, f"{name}: no chart"
        for cell in cells:
            assert cell.source.count("charts.show(") == 1 and "plt.show()" not in cell.source
            assert [o.output_type for o in cell.outputs] == ["display_data"], f"{name}: not exactly one output"
            output = cell.outputs[0]
            assert "image/png" in output.data
            alt = output.metadata["image/png"]["alt"]
            assert alt.endswith("。") and len(alt) > 20, f"{name}: alt {alt!r}"


def test_no_dead_code_in_the_setup():
    for name in NAMES:
        code = "\n".join(c.source for c in _load(name).cells if c.cell_type == "code")
        assert "params = " not in code, f"{name}: the validated parameters are assigned and never used"
        for imported in ("display", "Markdown", "pd", "plt", "calendar"):
            if re.search(rf"\bimport .*\b{imported}\b", code):
                uses = len(re.findall(rf"\b{imported}\b", code))
                assert uses > 1, f"{name}: {imported} is imported and never used"


@pytest.mark.parametrize("indicator", INDICATORS)
def test_indicator_notebook_sections(indicator):
    nb = _load(sections.notebook_name(indicator))
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for call in ("indicator_intro", "figure_table", "derived_intro", "unsaid"):
        assert f'sections.{call}("{indicator}"' in code
    assert f'dd.figures("{indicator}")' in code, "the notebook takes its figures from the package itself"
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "What the report leaves unsaid" in markdown and "报告未说明之处" in markdown
    assert "follows the order of the report's introduction" in markdown


@pytest.mark.parametrize("indicator", INDICATORS)
def test_one_key_finding_cell_and_one_headline_chart(indicator):
    nb = _load(sections.notebook_name(indicator))
    findings = [c for c in nb.cells if "key-finding" in _tags(c)]
    assert len(findings) == 1 and findings[0].cell_type == "code"
    assert [list(o.data) for o in findings[0].outputs] == [["text/markdown", "text/plain"]]
    text = findings[0].outputs[0].data["text/markdown"]
    assert any(q in text for q in (formatting.figure_value(r, "zh") for r in dd.figures(indicator).itertuples()))
    headline = [c for c in nb.cells if "headline" in _tags(c)]
    assert len(headline) == 1 and "image/png" in headline[0].outputs[0].data


def test_prose_is_in_both_languages_one_cell_each(notebook):
    """Markdown prose is tagged lang-zh or lang-en and comes in pairs; untagged cells hold no prose."""
    name, nb = notebook
    cells = [c for c in nb.cells if c.cell_type == "markdown"]
    langs = [[t for t in _tags(c) if t.startswith("lang-")] for c in cells]
    assert all(len(tags) == 1 for tags in langs), f"{name}: a markdown cell is not tagged with one language"
    assert [t[0] for t in langs] == ["lang-zh", "lang-en"] * (len(cells) // 2), f"{name}: not in zh/en pairs"
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for cell, (tag,) in zip(cells, langs):
        if tag == "lang-en":
            prose = re.sub(r"`[^`]*`|\([^)]*\)|\[[^]]*\]", "", cell.source)  # names in brackets and code are not prose
            assert not cjk.search(prose.replace("包容普惠创新", "")), f"{name}: Chinese prose in an English cell"


def test_overview_links_every_notebook():
    nb = _load("00_overview")
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for name in NAMES[1:]:
        assert f"[{name}]({name}.ipynb)" in markdown
        assert (NOTEBOOK_DIR / f"{name}.ipynb").exists()
    summary = [c for c in nb.cells if "summary" in _tags(c)]
    assert len(summary) == 1
    assert any("text/html" in o.get("data", {}) for o in summary[0].outputs)
