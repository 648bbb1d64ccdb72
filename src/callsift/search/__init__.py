"""Search over a case's transcripts."""

from callsift.search.query import SearchError, fts_query, search

__all__ = ["SearchError", "fts_query", "search"]
