"""`python -m web …` runs the `formwork` command line."""

from __future__ import annotations

from web.cli import main

main()
