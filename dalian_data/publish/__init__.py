"""Layer 4: publishing the data.

``files`` (CSV, Parquet and the Excel workbook, read back exactly),
``datapackage`` (the Frictionless descriptor) and ``downloads`` (the files a
report's index offers).
"""
