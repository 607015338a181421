"""Benchmarks: the engine timed against hand-written baselines (see benchmarks/README.md)."""
