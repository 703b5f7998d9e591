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


# Full-width punctuation an English page must not show; inside a translated string it is the translator's.
FULL_WIDTH = re.compile(r"[：；、（），。！？“”「」【】]")
TRANSLATED_OR_COMMENT = [
    re.compile(r"\{%\s*blocktrans(late)?\b.*?\{%\s*endblocktrans(late)?\s*%\}", re.S),
    re.compile(r"\{%\s*trans(late)?\s+(\"[^\"]*\"|'[^']*')[^%]*%\}"),
    re.compile(r"\b_\((\"[^\"]*\"|'[^']*')\)"),
    re.compile(r"\{#.*?#\}"),
    re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S),
]


def _untranslated_lines(text: str) -> list[tuple[int, str]]:
    for pattern in TRANSLATED_OR_COMMENT:  # blanked, keeping the line numbers
        text = pattern.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1) if FULL_WIDTH.search(line)]


def test_the_check_for_full_width_punctuation_sees_only_untranslated_text():
    text = ('{% translate "理由：" %}{% blocktranslate with n=1 %}共 {{ n }} 条；{% endblocktranslate %}\n'
            '{# 注释：不显示 #}{{ items|join:"、" }}')
    assert [number for number, _line in _untranslated_lines(text)] == [2]


def test_no_template_writes_full_width_punctuation_outside_a_translated_string():
    # An English page would show it: a separator or colon goes through bankpm.text (list_join, clause_join, colon).
    found = [f"{path}:{number}: {line[:120]}" for path in _templates()
             for number, line in _untranslated_lines(path.read_text(encoding="utf-8"))]
    assert found == []
