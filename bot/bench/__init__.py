"""`make bench`: where the time goes, each figure against its floor (see docs/BENCHMARKS.md)."""
