"""The report itself: one immutable text, verified before anything reads it.

Every offset in this package points into the string returned by
:func:`report_text`, so the text must be exactly the published bytes. The
package ships it as package data (``dalian_data/data/report.txt``, a link to
the project's ``seeds/`` copy, so the text is stored once) and checks its
sha256 on first read: an altered copy fails loudly instead of shifting every
offset silently.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

REPORT_SHA256 = "0f059fef0c21b18c870e55ce3e53da34881e2dce70571e5b8ce56515eaca6cb6"
REPORT_RESOURCE = "data/report.txt"
REPORT_SEED_NAME = "000_289f3813828c4e08.txt"


class ReportChecksumError(RuntimeError):
    """The report's bytes are not the published ones."""


def verify_report_bytes(data: bytes, name: str, expected: str = REPORT_SHA256) -> None:
    """Raise :class:`ReportChecksumError` naming ``name`` when ``data`` is altered."""
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ReportChecksumError(
            f"{name}: sha256 is {actual}, expected {expected}; "
            "the report text was altered, so its offsets and figures cannot be trusted"
        )


def report_file_name(resource: object) -> str:
    """The file to name when the text is altered: in a source checkout the package
    data is a link to ``seeds/``, and the file someone edited is the seed."""
    try:
        return str(Path(str(resource)).resolve())
    except (OSError, RuntimeError):
        return str(resource)


@lru_cache(maxsize=1)
def report_text() -> str:
    """The report as published (UTF-8, no trailing newline), checksum verified.

    Every offset in this package (``start``, ``end``, ``section_start`` …)
    points into this string. The text is read once and cached.

    Returns
    -------
    text : str
        The report's text, whose sha256 of its UTF-8 bytes is
        :data:`REPORT_SHA256`.

    Raises
    ------
    ReportChecksumError
        When the packaged file is not the published bytes; the message names
        the file and both digests.

    See Also
    --------
    figures : the report's figures, with offsets into this text.

    Examples
    --------
    >>> import hashlib
    >>> import dalian_data as dd
    >>> text = dd.report_text()
    >>> hashlib.sha256(text.encode("utf-8")).hexdigest() == dd.REPORT_SHA256
    True
    >>> len(text)
    2929
    >>> row = dd.figures().set_index("figure_id").loc["talent_funds_total"]
    >>> text[row.start:row.end]
    '17.4亿元'
    """
    resource = resources.files("dalian_data").joinpath(REPORT_RESOURCE)
    data = resource.read_bytes()
    verify_report_bytes(data, report_file_name(resource))
    return data.decode("utf-8")
