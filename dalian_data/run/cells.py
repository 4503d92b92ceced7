"""Reading a notebook's cells as plain JSON (standard library only, so the CLI's --help stays fast)."""

from __future__ import annotations

from typing import Any

__all__ = ["joined", "tags"]


def joined(text: str | list[str] | None) -> str:
    """A notebook's multiline string (a cell's source, an output's text), stored as a string or a list of lines."""
    return "".join(text) if isinstance(text, list) else (text or "")


def tags(cell: Any) -> list[str]:
    """The tags of a cell (``metadata.tags``), empty when it has none."""
    return list(cell.get("metadata", {}).get("tags", []) or [])
