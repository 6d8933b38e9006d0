"""Files merchants hand over: saved API responses now, seller-centre exports next.

Layouts are in docs/imports.md.
"""
