"""Alembic environment and versions for the engine's own tables.

Kept as a package so `engine.migrate` can find the scripts next to the installed code,
whatever the working directory. Module tables (`m_*`) are not managed here.
"""
