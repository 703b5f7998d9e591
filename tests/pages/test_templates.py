"""Template source rules that no rendering test would notice until a page shows them."""
import re
from pathlib import Path

from django.conf import settings

COMMENT = re.compile(r"\{#(.*?)#\}", re.S)


def _templates():
    base = Path(settings.BASE_DIR)
    return [p for p in base.rglob("*.html") if not {".venv", "node_modules", "htmlcov"} & set(p.parts)]


def test_no_template_holds_a_multi_line_short_comment():
    # `{# … #}` ends at the line's end: a second line is printed on the page.
    found = [f"{path}:{text[:m.start()].count(chr(10)) + 1}" for path in _templates()
             for text in [path.read_text(encoding="utf-8")] for m in COMMENT.finditer(text) if "\n" in m.group(1)]
    assert found == []
