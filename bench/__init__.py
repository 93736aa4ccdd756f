"""Benchmarks (not part of the portal). See bench/README.md."""
