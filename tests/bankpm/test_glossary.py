"""One glossary for the bank's terms (locale/glossary.tsv): every English catalogue renders each term alike."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(p for p in ROOT.glob("*/locale/en/LC_MESSAGES/django.po") if ".venv" not in p.parts) + [
    ROOT / "locale/en/LC_MESSAGES/django.po"]


def entries(path: Path):
    """(msgctxt, msgid, msgstr) of a catalogue; enough of the .po syntax for our files (no plural forms)."""
    current, key = {}, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if "msgid" in current:
                yield current.get("msgctxt", ""), current["msgid"], current.get("msgstr", "")
            current, key = {}, None
        elif line.startswith(("msgctxt ", "msgid ", "msgstr ")):
            key, _, text = line.partition(" ")
            current[key] = ast.literal_eval(text)
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)


def glossary() -> dict[str, str]:
    rows = (line.split("\t") for line in (ROOT / "locale/glossary.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#"))
    return {source: english for source, english in rows}


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_glossary_term_is_translated_as_the_glossary_says(catalogue):
    terms = glossary()
    wrong = [(msgid, msgstr) for context, msgid, msgstr in entries(catalogue)
             if msgid in terms and not context and msgstr and msgstr != terms[msgid]]
    assert wrong == []
