"""Benchmarks: intake, citizen lookup, call-to-dispatch (the production shape), the board stream, the deadline
sweep and the knowledge search. Figures in docs/BENCHMARKS.md."""
