"""File names that are not UTF-8, shown escaped and kept as bytes.

A seized drive or archive can hold names in any byte encoding. Python hands
them over as ``str`` with surrogate escapes (PEP 383), which SQLite and the
terminal refuse. The store keeps a printable form, each undecodable byte as
``\\xNN``, and the custody log keeps the raw bytes in hex, so the name an
original had on the drive is never lost.
"""

from __future__ import annotations

__all__ = ["printable"]


def printable(name: str) -> tuple[str, str | None]:
    """``(shown, raw_hex)``: ``name`` with undecodable bytes escaped, and its bytes in
    hex when any were (``None`` when ``name`` is plain text)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return name, None
    raw = name.encode("utf-8", "surrogateescape" if _escapes_only(name) else "surrogatepass")
    return raw.decode("utf-8", "backslashreplace"), raw.hex()


def _escapes_only(name: str) -> bool:
    # surrogateescape encodes only U+DC80..U+DCFF; any other lone surrogate
    # (from a pax header, say) goes through as its three UTF-8-style bytes.
    return all(not "\ud800" <= c <= "\udfff" or "\udc80" <= c <= "\udcff" for c in name)
