"""Extract the interface's marked text and merge it into each language's catalogue.

Run by ``make messages`` after changing a template: new messages are added
to ``src/callsift/web/locale/<lang>/LC_MESSAGES/messages.po`` untranslated
(the test suite then names them), and messages no template uses any more
are dropped. Translators edit the ``.po`` files; nothing is compiled.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

WEB = Path(__file__).resolve().parents[1] / "src" / "callsift" / "web"
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "gettext_": None, "ngettext_": (1, 2)}


def template_catalog() -> Catalog:
    """Every message marked in the web app's templates and code, with where it is."""
    catalog = Catalog(project="callsift", charset="utf-8")
    found = extract_from_dir(
        WEB, METHODS, keywords=KEYWORDS, options_map=OPTIONS, comment_tags=("Translators:",)
    )
    for filename, line, message, comments, context in found:
        catalog.add(message, None, [(filename, line)], auto_comments=comments, context=context)
    return catalog


def main() -> int:
    template = template_catalog()
    for po in sorted((WEB / "locale").glob("*/LC_MESSAGES/messages.po")):
        language = po.parents[1].name
        with open(po, "rb") as handle:
            catalog = read_po(handle, locale=language)
        created = catalog.creation_date  # kept, so a run that finds nothing new changes nothing
        catalog.update(template, no_fuzzy_matching=True)
        catalog.creation_date = created
        catalog.obsolete.clear()
        with open(po, "wb") as handle:
            write_po(handle, catalog, width=100, sort_output=True, include_lineno=False)
        missing = sum(1 for m in catalog if m.id and not m.string)
        print(f"{po.relative_to(WEB)}: {len(catalog)} messages, {missing} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
