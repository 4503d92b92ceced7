"""Layer 3: running the notebooks.

``report`` (the steps of ``dalian-data report`` and ``refresh``),
``notebook_parameters`` (reading, converting and naming parameters),
``engine`` (executing notebooks on a few kernels), ``cache`` (the manifest and
content hashes), ``normalise`` (stable executed notebooks), ``html_pages`` and
``web_font`` (offline HTML), ``notebook_files`` (where the notebooks are) and
``progress``. Imports the layers below, never publishing.
"""
