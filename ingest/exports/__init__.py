"""Files merchants hand over: saved API responses and seller-centre export files (CSV, XLSX).

Layouts are in docs/imports.md; the export layouts themselves in `layouts/*.toml`.
"""
