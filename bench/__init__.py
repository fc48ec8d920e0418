"""Benchmarks: ``python -m bench.extract`` measures extraction against a naive baseline."""
