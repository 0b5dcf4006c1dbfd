"""Guidance library, index and search: the base layer (imports neither bot nor ingest)."""
