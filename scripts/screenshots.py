"""Copy the README's screenshots from the browser tests' output (``make screenshots``).

``make test`` leaves every page it visited in ``test-artifacts/`` at 1440 and
390 px; the README shows four of them, made smaller (a 256-colour palette),
so the pictures in the README are always ones the test suite took.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
SHOWN = {
    "call-page.png": "page-cases-alpha-calls-10-1440.png",
    "call-page-phone.png": "page-cases-alpha-calls-10-390.png",
    "search.png": "page-cases-alpha-search-q-убили-1440.png",
    "graph.png": "pictures-graph-1440.png",
}


def main() -> int:
    target = REPO / "docs" / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    for name, taken in SHOWN.items():
        source = REPO / "test-artifacts" / taken
        if not source.is_file():
            print(f"{source} is missing: run `make test` first", file=sys.stderr)
            return 1
        with Image.open(source) as image:
            small = image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
            small.save(target / name, optimize=True)
        print(f"{taken} -> docs/screenshots/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
