"""A crawler over the server-rendered pages with Django's test client: what a person sees on each page.

It follows links (`href` and htmx `hx-get`) from the start pages, one URL per shape (ids become `<n>`, query values
are dropped, except `export`), and reads each page's visible text: what a browser prints, outside scripts, styles
and attributes. The checks name what must never reach a reader: template syntax, Python reprs, a bare `None`, and
the stored codes of the models' choices.
"""
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.apps import apps
from django.conf import settings

SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/", "/api/", "/logout/", "/login/", "/i18n/", "/favicon.ico",
                    "/healthz")
# Links that download a stored file rather than show a page.
DOWNLOAD = re.compile(r"/(attachments?|download|files?)/")
TEMPLATE_SYNTAX = ("{{", "}}", "{%", "%}", "{#", "#}")
PYTHON_REPR = ("{'", "['", "<QuerySet", "object at 0x", "<bound method", "Decimal('", "datetime.")
NONE = re.compile(r"(?<![\w-])None(?![\w-])")
TOKEN = re.compile(r"(?<![\w@./-])[A-Za-z][A-Za-z0-9_]*(?![\w@/-]|\.\w)")
INVISIBLE = {"script", "style", "template", "noscript", "title"}
# Text meant literally (a file's column codes, an accepted value): checked for syntax and reprs, not for codes.
LITERAL = {"code", "kbd"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden_depth = 0
        self.code_depth = 0
        self.stack: list[str] = []
        self.text: list[str] = []
        self.literal: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "hx-get"):
            if attrs.get(name) and tag != "link":
                self.links.append(attrs[name])
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag in LITERAL:
            self.code_depth += 1
        if tag in INVISIBLE or "hidden" in attrs:
            self.hidden_depth += 1
            self.stack[-1] = f"hidden:{tag}"

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            top = self.stack.pop()
            if top in LITERAL:
                self.code_depth -= 1
            if top.startswith("hidden:"):
                self.hidden_depth -= 1
            if top.removeprefix("hidden:") == tag:
                break

    def handle_data(self, data):
        if not self.hidden_depth and data.strip():
            (self.literal if self.code_depth else self.text).append(data.strip())


@dataclass
class Page:
    url: str
    text: str
    links: list[str] = field(default_factory=list)
    literal: str = ""


def parse(url: str, html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    return Page(url=url, text="\n".join(parser.text), links=parser.links, literal="\n".join(parser.literal))


def shape(url: str) -> str:
    """One key per kind of page: ids become <n>, query keys are kept without their values (export's is kept)."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/<n>", parts.path)
    keys = sorted({k if k != "export" else f"export={v}" for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if k != "page"} | ({"page"} if "page=" in parts.query else set()))
    return f"{path}?{'&'.join(keys)}" if keys else path


def followable(url: str, *, base: str = "/") -> str | None:
    """The local URL to request for a link found on `base`, or None when it leaves the pages (files, API, admin,
    other sites)."""
    if not url or url.startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    parts = urlsplit(urljoin(base, url))
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIPPED_PREFIXES) or DOWNLOAD.search(parts.path):
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)])
    return f"{parts.path}?{query}" if query else parts.path


def choice_codes() -> dict[str, str]:
    """Every stored code of a choice field of the project's models whose label differs from it, with one label."""
    base = str(settings.BASE_DIR)
    codes: dict[str, str] = {}
    for model in apps.get_models():
        if not str(model._meta.app_config.path).startswith(base):
            continue
        for each in model._meta.get_fields():
            for code, label in getattr(each, "flatchoices", None) or []:
                if isinstance(code, str) and re.fullmatch(r"[a-z][a-z0-9_]*", code) and code != str(label):
                    codes.setdefault(code, str(label))
    return codes


def english_words() -> set[str]:
    """Lower-cased words of every English translation: a code that is also an ordinary English word ("draft",
    "open") cannot be told from prose on an English page, so English pages are checked for the others."""
    from django.utils import translation

    words: set[str] = set()
    with translation.override("en"):
        catalog = translation.trans_real.translation("en")._catalog
        for _msgid, text in catalog.items():
            if isinstance(text, str):
                words.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9_]*", text))
    return words


def problems(page: Page, *, codes: set[str]) -> list[str]:
    """What must never be shown on `page`, each named with the line it appears in."""
    found = [f"{needle!r} in {line[:120]!r}" for line in page.literal.splitlines()
             for needle in TEMPLATE_SYNTAX + PYTHON_REPR if needle in line]
    for line in page.text.splitlines():
        for needle in TEMPLATE_SYNTAX + PYTHON_REPR:
            if needle in line:
                found.append(f"{needle!r} in {line[:120]!r}")
        if NONE.search(line):
            found.append(f"bare None in {line[:120]!r}")
        tokens = TOKEN.findall(line)
        # A code among ordinary words ("Business Card (closed)") is prose; alone, listed or in an arrow, a code.
        prose = any(t not in codes for t in tokens)
        for token in tokens:
            if token in codes and ("_" in token or not prose):
                found.append(f"code {token!r} in {line[:120]!r}")
    return found
