"""The package's four layers, and that imports only flow downward.

1. the data core: the modules at the top of ``dalian_data/``;
2. ``dalian_data.notebook``: what the notebooks share;
3. ``dalian_data.run``: running notebooks;
4. ``dalian_data.publish``: exports and the data package.

``dalian_data/__init__.py`` (the lazy public API), ``__main__`` and ``cli`` (the
command, which drives every layer) stand above them all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dalian_data"
LAYERS = {"notebook": 2, "run": 3, "publish": 4}
ABOVE_ALL = {"dalian_data", "dalian_data.__main__", "dalian_data.cli"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.get(parts[1], 1) if len(parts) > 1 else 1


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "notebooks" not in p.relative_to(PACKAGE).parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every ``dalian_data`` module that ``path`` imports, at module level or inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("dalian_data")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dalian_data"):
            for alias in node.names:  # from dalian_data.run import engine imports a module
                name = f"{node.module}.{alias.name}"
                found.append((node.lineno, name if (PACKAGE.parent / (name.replace(".", "/") + ".py")).exists()
                              else node.module))
    return found


def test_the_layers_exist():
    layers = {_layer(_module_name(p)) for p in _modules() if _module_name(p) not in ABOVE_ALL}
    assert layers == {1, 2, 3, 4}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: _module_name(p))
def test_imports_flow_only_downward(path):
    module = _module_name(path)
    if module in ABOVE_ALL:
        return
    upward = [f"line {line}: {name} (layer {_layer(name)})" for line, name in _imports(path)
              if _layer(name) > _layer(module)]
    assert not upward, f"{module} (layer {_layer(module)}) imports from a layer above it: {'; '.join(upward)}"


def test_the_checker_sees_an_upward_import(tmp_path):
    fake = PACKAGE / "notebook" / "formatting.py"
    source = fake.read_text(encoding="utf-8") + "\n\ndef _x():\n    from dalian_data.run.engine import Task\n"
    copy = tmp_path / "formatting.py"
    copy.write_text(source, encoding="utf-8")
    names = [name for _, name in _imports(copy)]
    assert "dalian_data.run.engine" in names and _layer("dalian_data.run.engine") > _layer("dalian_data.notebook.formatting")
