"""Ingestion: guidance files in, a cited and searchable index out."""
