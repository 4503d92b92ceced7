"""The dtypes every frame of the package uses, pinned in one place.

pandas 3 changed the default string dtype, and ``pd.StringDtype()`` picks
pyarrow storage whenever pyarrow is installed, which costs ~0.1 s of imports
for ~70 rows. Text columns therefore use the python-backed ``string`` dtype
with ``pd.NA`` for missing values, named explicitly here.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

STRING = pd.StringDtype(storage="python", na_value=pd.NA)
# Calendar dates (a period's first and last day): second resolution, no time of day, NaT when missing.
DATE = pd.api.types.pandas_dtype("datetime64[s]")


def strings(values: Iterable) -> pd.api.extensions.ExtensionArray:
    """A text column in the pinned dtype (``None`` becomes ``pd.NA``)."""
    return pd.array(list(values), dtype=STRING)
