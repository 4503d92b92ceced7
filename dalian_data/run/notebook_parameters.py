"""Turn command-line and YAML parameter values into what each notebook declares, strictly.

Papermill only warns about a parameter a notebook does not declare and injects
whatever string it is given, so ``-p population 8e6`` would reach the kernel
as text and fail deep inside a cell, after a kernel had already started. Here
every value is checked before any kernel starts: the name must be declared by a
selected notebook, the value is converted to the type of that notebook's
default, and :func:`dalian_data.parameters.validate_parameters` has the last
word. Every problem is a :class:`ParameterError` whose message names the
parameter, the bad value and what is allowed.

Declared parameters are read from the cell tagged ``parameters`` with
:mod:`ast` and :mod:`json` only, so this stays fast (no nbformat, no papermill).
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from dalian_data.parameters import shown
from dalian_data.run.cells import joined, tags

#: Sentinel default for an assignment whose value is not a literal: accept the text as is.
NOT_A_LITERAL = object()

#: A parameters file is a few lines; anything bigger is refused before parsing.
MAX_YAML_BYTES = 64 * 1024
#: Digits accepted for a whole number (Python refuses to convert over 4,300).
MAX_DIGITS = 100

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}
_NONE = {"none", "null"}


class ParameterError(ValueError):
    """A parameter is unknown, of the wrong type or out of range; the message says which and what is allowed."""


@dataclass(frozen=True)
class DeclaredNotebook:
    """A notebook's path and the parameters (name -> default) its ``parameters`` cell declares."""

    path: Path
    defaults: dict[str, Any]


def read_notebook_json(data: bytes, path: Path) -> dict:
    """Parse notebook bytes as JSON, naming the file when it is not a notebook."""
    try:
        nb = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParameterError(f"notebook {str(path)!r} is not valid notebook JSON: {error}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ParameterError(f"notebook {str(path)!r} has no list of cells")
    return nb


def declared_parameters(nb: Mapping[str, Any]) -> dict[str, Any]:
    """Names and default values assigned in the code cell tagged ``parameters``.

    Only top-level ``name = literal`` (or ``name: type = literal``) statements
    count, the same ones papermill would override; a non-literal default is
    recorded as :data:`NOT_A_LITERAL`, and a command-line value for it is
    passed as text.
    """
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or "parameters" not in tags(cell):
            continue
        source = joined(cell.get("source", ""))
        defaults: dict[str, Any] = {}
        for node in ast.parse(source).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                target, value = node.targets[0].id, node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                target, value = node.target.id, node.value
            else:
                continue
            try:
                defaults[target] = ast.literal_eval(value)
            except ValueError:
                defaults[target] = NOT_A_LITERAL
        return defaults
    return {}


def _allowed(name: str, default: Any) -> str:
    """What a parameter accepts, in words: the shared rule if there is one, else its default's type."""
    from dalian_data.parameters import RULES

    rule = RULES.get(name)
    if rule is not None:
        return rule.allowed
    if isinstance(default, bool):
        return "true or false (or 1 or 0)"
    if isinstance(default, int):
        return "a whole number"
    if isinstance(default, float):
        return "a number"
    return f"a value of type {type(default).__name__}"


def convert_text(name: str, text: str, default: Any) -> Any:
    """Convert a command-line string to the type of ``default``; raise :class:`ParameterError` if it does not fit.

    bool accepts true/false/1/0 (any case); int accepts whole numbers only;
    float accepts any number; a ``None`` default accepts ``None``/``null``
    for None and takes anything else as a string; str takes the text as is.
    """

    def bad() -> ParameterError:
        return ParameterError(f"parameter {name!r} is {shown(text)}; allowed: {_allowed(name, default)}")

    if default is NOT_A_LITERAL or isinstance(default, str):
        return text
    if default is None:
        return None if text.strip().lower() in _NONE else text
    if isinstance(default, bool):
        word = text.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise bad()
    if isinstance(default, int):
        if not re.fullmatch(r"\s*[+-]?\d+(_\d+)*\s*", text) or len(text) > MAX_DIGITS:  # 8_000_000, not 8e6
            raise bad()
        return int(text)
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise bad() from None
    try:
        value = ast.literal_eval(text) if len(text) <= MAX_YAML_BYTES else None
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise bad() from None
    if type(value) is not type(default):
        raise bad()
    return value


def convert_value(name: str, value: Any, default: Any) -> Any:
    """Check an already-typed value (from YAML) against the type of ``default``.

    Strings go through :func:`convert_text`, so ``population: "8000000"`` works
    as on the command line; an int is accepted where a float is expected.
    """
    if isinstance(value, str):
        return convert_text(name, value, default)
    if default is None or default is NOT_A_LITERAL:
        return value
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    else:
        ok = type(value) is type(default)
    if not ok:
        raise ParameterError(f"parameter {name!r} is {shown(value)}; allowed: {_allowed(name, default)}")
    return value


def load_yaml_parameters(path: Path) -> dict[str, Any]:
    """Read a ``-f params.yaml`` file: a mapping of parameter names to values.

    Refused with a :class:`ParameterError`: files over :data:`MAX_YAML_BYTES`,
    anchors and aliases (``&a`` / ``*a``, which let a few lines expand to
    gigabytes), and anything that is not a mapping of names to values.
    """
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise ParameterError(
                f"parameters file {str(path)!r} is {size} bytes; allowed: at most {MAX_YAML_BYTES} (a few lines of name: value)"
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterError(f"parameters file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8"
        raise ParameterError(f"parameters file {str(path)!r} cannot be read as UTF-8 text: {reason}") from None
    import yaml

    try:
        data = yaml.load(text, Loader=_no_alias_loader())
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        problem = getattr(error, "problem", None) or "invalid syntax"
        raise ParameterError(f"parameters file {str(path)!r} is not valid YAML{line}: {problem}") from None
    except (ValueError, RecursionError):  # a 5,000-digit number, nesting thousands deep
        raise ParameterError(f"parameters file {str(path)!r} holds a value too large or too deeply nested") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
        raise ParameterError(f"parameters file {str(path)!r} must be a mapping of parameter names to values")
    return data


def _no_alias_loader() -> type:
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        """yaml.SafeLoader that refuses anchors and aliases instead of expanding them."""

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise yaml.composer.ComposerError(
                    None, None, "anchors and aliases (&name, *name) are not allowed; write each value out", event.start_mark
                )
            return super().compose_node(parent, index)

    return NoAliasLoader


def resolve_parameters(
    notebooks: Iterable[DeclaredNotebook],
    from_file: Mapping[str, Any] | None = None,
    from_cli: Iterable[tuple[str, str]] = (),
) -> tuple[dict[str, Any], dict[Path, dict[str, Any]]]:
    """Check and convert the requested parameters; return them and what each notebook gets.

    ``from_cli`` pairs override ``from_file`` values. Returns the requested
    parameters (converted, for naming the output folder) and, per notebook
    path, only the parameters that notebook declares and that differ from
    its default (``-p figure_dir null`` is the default run). Raises
    :class:`ParameterError` for the first problem found, before anything runs.
    """
    notebooks = list(notebooks)
    declared: dict[str, Any] = {}
    for notebook in notebooks:
        for name, default in notebook.defaults.items():
            declared.setdefault(name, default)
    requested: dict[str, tuple[str, Any]] = {name: ("file", value) for name, value in (from_file or {}).items()}
    for name, text in from_cli:
        requested[name] = ("cli", text)

    for name in requested:
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none (the selected notebooks declare no parameters)"
            raise ParameterError(f"parameter {name!r} is not declared by any selected notebook; allowed: {known}")

    per_notebook: dict[Path, dict[str, Any]] = {}
    effective: dict[str, Any] = {}
    for notebook in notebooks:
        given: dict[str, Any] = {}
        for name, (origin, raw) in requested.items():
            if name not in notebook.defaults:
                continue
            default = notebook.defaults[name]
            value = convert_text(name, raw, default) if origin == "cli" else convert_value(name, raw, default)
            if type(value) is type(default) and value == default:
                continue  # the notebook's own default: nothing to inject, same output folder as without it
            given[name] = value
            effective.setdefault(name, value)
        per_notebook[notebook.path] = given

    from dalian_data.parameters import validate_parameters

    try:
        validate_parameters(**effective)
        for given in per_notebook.values():
            validate_parameters(**given)
    except ValueError as error:
        raise ParameterError(str(error)) from None
    return dict(sorted(effective.items())), per_notebook


def canonical_json(value: Any) -> str:
    """One JSON text per value: sorted keys, no spaces, non-ASCII kept; the basis of hashes and slugs."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


# Values may not contain "_", which separates parameters; names are identifiers.
_UNSAFE = re.compile(r"[^A-Za-z0-9.+-]+")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_]+")
MAX_SLUG = 64


def parameters_slug(parameters: Mapping[str, Any]) -> str:
    """A readable, filesystem-safe, deterministic folder name for a set of parameters.

    ``{}`` -> ``default``; ``{"lang": "en", "population": 8000000}`` ->
    ``lang-en_population-8000000``. When characters had to be replaced (a path,
    Chinese text) or the name would be long, it is shortened and an 8-character
    hash of the exact parameters is appended, so distinct sets never share a folder.
    """
    if not parameters:
        return "default"
    parts = []
    exact = True
    for name in sorted(parameters):
        value = parameters[name]
        text = value if isinstance(value, str) else repr(value)
        safe = _UNSAFE.sub("-", text).strip("-") or "x"
        safe_name = _UNSAFE_NAME.sub("-", name)
        exact = exact and safe == text and safe_name == name
        parts.append(f"{safe_name}-{safe}")
    slug = "_".join(parts)
    if exact and len(slug) <= MAX_SLUG:
        return slug
    digest = hashlib.sha256(canonical_json(dict(parameters)).encode("utf-8")).hexdigest()[:8]
    return f"{slug[: MAX_SLUG - 9].rstrip('-_')}-{digest}"
