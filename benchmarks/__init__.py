"""Performance benchmarks (REFERENCE D): ``python -m benchmarks [--quick] [--record]``."""
