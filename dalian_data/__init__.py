"""Dalian's 2020 results on the 包容普惠创新 indicators, as tidy, traceable data.

The public API is small and flat::

    import dalian_data as dd
    dd.report_text()            # the report, checked against its sha256
    dd.indicators()             # the six secondary indicators, in report order
    dd.figures("talent")        # every figure of the report, with provenance
    dd.quantities(text)         # the extractor behind figures(), for any text
    dd.measures("environment")  # what the report says was done, typed by action
    dd.skipped_quantities(text) # numbers too large for a float64, with the reason
    dd.derived(population=...)  # metrics the report implies but does not print

Attributes are imported on first use, so ``import dalian_data`` stays cheap
(no matplotlib, no pandera) and the CLI starts fast.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "report_text": "dalian_data.source",
    "ReportChecksumError": "dalian_data.source",
    "REPORT_SHA256": "dalian_data.source",
    "quantities": "dalian_data.extract",
    "skipped_quantities": "dalian_data.extract",
    "indicators": "dalian_data.tables",
    "figures": "dalian_data.tables",
    "non_figures": "dalian_data.tables",
    "primary_indicator": "dalian_data.tables",
    "aspects": "dalian_data.tables",
    "measures": "dalian_data.policy_measures",
    "non_measures": "dalian_data.policy_measures",
    "action_types": "dalian_data.policy_measures",
    "measure_counts": "dalian_data.policy_measures",
    "derived": "dalian_data.derived_metrics",
    "DALIAN_POPULATION_2020": "dalian_data.derived_metrics",
    "validate_parameters": "dalian_data.parameters",
    "export": "dalian_data.publish.files",
    "read_export": "dalian_data.publish.files",
}

# submodules reachable as attributes: dd.schemas imports pandera, so it loads
# only when first touched. The notebooks' helpers are dalian_data.notebook.*.
_SUBMODULES = ("schemas",)

__all__ = sorted(_EXPORTS) + list(_SUBMODULES) + ["__version__"]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"dalian_data.{name}")
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'dalian_data' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
