"""The optional extras, and the one-line error for a feature used without its extra.

``pip install dalian-data`` installs the data core, which needs pandas only.
Everything else comes with an extra declared in pyproject.toml:
``[notebooks]`` (running and rendering the notebooks, charts and house
style), ``[export]`` (Parquet and Excel files) and ``[all]``. A feature that
needs one says so in one line, e.g. ::

    'report' needs the notebooks extra (papermill is not installed): pip install 'dalian-data[notebooks]'

The distributions of each extra are read from the installed package's
metadata, so pyproject.toml stays their only list. This module imports only
the standard library: every layer may use it.
"""

from __future__ import annotations

import contextlib
import re
from functools import lru_cache
from typing import Iterator

DISTRIBUTION = "dalian-data"

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")
_EXTRA_MARKER = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


class MissingExtraError(ImportError):
    """A feature was used without the extra that provides its dependencies; ``str()`` is one line."""

    def __init__(self, feature: str, extra: str, missing: str):
        self.feature, self.extra, self.missing = feature, extra, missing
        super().__init__(
            f"'{feature}' needs the {extra} extra ({missing} is not installed): pip install '{DISTRIBUTION}[{extra}]'",
            name=missing,
        )


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@lru_cache(maxsize=None)
def extra_distributions(extra: str) -> tuple[str, ...]:
    """The distributions ``pip install 'dalian-data[extra]'`` adds, from the installed metadata.

    Extras that name other extras (``all`` names ``notebooks`` and ``export``)
    are followed. An unknown extra raises ``ValueError`` naming the known
    ones; without installed metadata (the package run from a folder on
    ``sys.path``) the answer is empty.
    """
    from importlib import metadata  # ~10 ms of imports, paid only when asked

    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return ()
    by_extra: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for requirement in requirements:
        requirement_part, _, marker = requirement.partition(";")
        owner = _EXTRA_MARKER.search(marker)
        match = _NAME.match(requirement_part)
        if owner and match:
            wanted = tuple(e.strip() for e in (match.group(2) or "").split(",") if e.strip())
            by_extra.setdefault(owner.group(1), []).append((_normalise(match.group(1)), wanted))
    if extra not in by_extra:
        raise ValueError(f"extra {extra!r} is not declared; declared: {', '.join(sorted(by_extra))}")
    found: dict[str, None] = {}
    for name, wanted in by_extra[extra]:
        if name == DISTRIBUTION:
            for inner in wanted:
                found.update(dict.fromkeys(extra_distributions(inner)))
        else:
            found[name] = None
    return tuple(found)


def require_extra(feature: str, extra: str) -> None:
    """Raise :class:`MissingExtraError` unless every distribution of ``extra`` is installed.

    Checks installed metadata only (nothing is imported), so a command can
    refuse at once, before it starts workers or kernels that would fail later.
    """
    from importlib import metadata

    for name in extra_distributions(extra):
        try:
            metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise MissingExtraError(feature, extra, name) from None


@contextlib.contextmanager
def needs_extra(feature: str, extra: str) -> Iterator[None]:
    """Turn a missing third-party module imported inside the block into :class:`MissingExtraError`.

    ``with needs_extra("dalian_data.notebook.charts", "notebooks"): import matplotlib``.
    A missing module of this package itself is a bug, not a missing extra,
    and propagates unchanged.
    """
    try:
        yield
    except ModuleNotFoundError as error:
        top = (error.name or "").partition(".")[0]
        if not top or top == __name__.partition(".")[0]:
            raise
        raise MissingExtraError(feature, extra, top) from None
