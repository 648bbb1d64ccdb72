"""Exports: evidence packages, redaction for publication, reports and data formats."""
