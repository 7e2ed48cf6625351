"""Benchmarks of the production shape: intake, citizen lookup, call-to-dispatch. Figures in docs/BENCHMARKS.md."""
