"""Schema version 9: what a case needs to stay fast at a million segments (#13).

Kept apart from ``schema.py`` (versions 1–8), which had grown past 600 lines.
Each part is filled by the change that needs it; ``V9`` is what migrates.
"""

# Search filters as indexed columns (dates, normalised numbers, flags).
SEARCH = ""
# Graph analytics computed once per change of the call graph.
GRAPH = ""
# Ingest of very large batches: what a resumed run needs to skip done files.
INGEST = ""

V9 = SEARCH + GRAPH + INGEST
