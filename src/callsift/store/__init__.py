"""The case store: the only layer that speaks SQL or writes originals."""

from callsift.store.blobs import OriginalStore, sha256_file
from callsift.store.case import CaseStore, utc_now
from callsift.store.phones import call_numbers_of, case_numbers
from callsift.store.queries import case_status, channels_of, get_call, list_calls, segments_of
from callsift.store.search import search_facets, search_segments

__all__ = [
    "CaseStore",
    "OriginalStore",
    "call_numbers_of",
    "case_numbers",
    "case_status",
    "channels_of",
    "get_call",
    "list_calls",
    "search_facets",
    "search_segments",
    "segments_of",
    "sha256_file",
    "utc_now",
]
