"""Formwork's runtime: packs in, forms, records, workflows and reports out.

The engine is pure Python. It takes plain values and a SQLAlchemy session and never
touches HTTP, Flask or templates; web/ translates requests into calls to it.
"""
