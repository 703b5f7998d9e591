"""Every edit form, sent back exactly as the page rendered it, changes nothing and writes no audit entry, in both
languages; every date input holds an ISO date (a localized one shows as empty and the next save loses it)."""
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import connection

from core.models import AuditEntry

# Declared, not only reached through demo_data: pytest-django creates the test database only for tests that declare
# it, and a module run alone would otherwise seed the demo into the developer's database.
pytestmark = pytest.mark.django_db
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LANGUAGES = ["zh-hans", "en"]


class _FormParser(HTMLParser):
    """The POST forms of a page with what a browser would send for them untouched."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.dates: list[tuple[str, str]] = []
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "data": [], "id": a.get("id", "")}
            self.forms.append(self._form)
        if tag == "input" and a.get("type") == "date":
            self.dates.append((a.get("name") or "", a.get("value") or ""))
        if self._form is None:
            return
        kind = (a.get("type") or "text").lower()
        if tag == "input" and a.get("name") and kind not in ("submit", "button", "file", "reset", "image"):
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["data"].append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self._form["data"].append((self._select, a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            # A browser drops the one newline that follows <textarea>.
            self._form["data"].append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def _edit_pages() -> list[tuple[str, str]]:
    """(owner username, URL) of every kind of edit form the demo holds."""
    from exits.models import ExitPlan
    from products.models import Product
    from requirements.models import ProductVersion, Requirement
    from risks.models import Risk

    product = Product.objects.filter(stage__in=["planning", "development"]).order_by("pk").first()
    requirement = Requirement.objects.filter(status__in=["new", "analysing", "scheduled"]).order_by("pk").first()
    version = ProductVersion.objects.filter(status="planned").order_by("pk").first()
    risk = Risk.objects.filter(status="open").order_by("pk").first()
    plan = ExitPlan.objects.order_by("pk").first()
    return [
        (product.owner.username, f"/products/{product.pk}/edit/"),
        (requirement.product.owner.username, f"/requirements/{requirement.pk}/edit/"),
        (version.product.owner.username, f"/requirements/versions/{version.pk}/edit/"),
        (risk.product.owner.username, f"/risks/{risk.pk}/edit/"),
        (plan.product.owner.username, f"/exits/products/{plan.product_id}/plan/"),
    ]


def _writes() -> dict[str, int]:
    """Rows inserted, updated or deleted in this transaction so far, per table (the session's aside)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
                       "WHERE relname <> 'django_session' AND n_tup_ins + n_tup_upd + n_tup_del > 0")
        return dict(cursor.fetchall())


def _round_trip(client, username: str, url: str, language: str):
    from accounts.models import User

    client.force_login(User.objects.get(username=username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(url)
    assert page.status_code == 200, url
    parser = _FormParser()
    parser.feed(page.content.decode())
    form = next(f for f in parser.forms if f["id"] != "logout-form" and "setlang" not in f["action"]
                and "logout" not in f["action"])
    return parser, form


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_edit_form_sent_back_untouched_changes_nothing(client, demo_data, language):
    for username, url in _edit_pages():
        parser, form = _round_trip(client, username, url, language)
        audit_before, writes_before = AuditEntry.objects.count(), _writes()
        response = client.post(form["action"] or url, _as_post(form["data"]))
        assert response.status_code in (200, 302), f"{url}: {response.status_code}"
        if response.status_code == 200 and response.context and response.context.get("form") is not None:
            assert not response.context["form"].errors, f"{url}: {response.context['form'].errors}"
        assert AuditEntry.objects.count() == audit_before, f"{url} wrote an audit entry"
        written = {table for table, n in _writes().items() if n != writes_before.get(table)}
        assert written == set(), f"{url} wrote to {written}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_input_of_an_edit_form_holds_an_iso_date(client, demo_data, language):
    for username, url in _edit_pages():
        parser, _form = _round_trip(client, username, url, language)
        bad = [(name, value) for name, value in parser.dates if value and not ISO.match(value)]
        assert bad == [], f"{url}: {bad}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_re_saving_the_exit_plan_and_a_risk_keeps_their_dates(client, demo_data, language):
    from exits.models import ExitPlan
    from risks.models import Risk

    plan = ExitPlan.objects.exclude(notice_date=None).order_by("pk").first()
    risk = Risk.objects.filter(status="open").order_by("pk").first()
    before = (plan.notice_date, plan.close_date, risk.review_due)
    for username, url in ((plan.product.owner.username, f"/exits/products/{plan.product_id}/plan/"),
                          (risk.product.owner.username, f"/risks/{risk.pk}/edit/")):
        _parser, form = _round_trip(client, username, url, language)
        client.post(form["action"] or url, _as_post(form["data"]))
    plan = ExitPlan.objects.get(pk=plan.pk)
    assert (plan.notice_date, plan.close_date, Risk.objects.get(pk=risk.pk).review_due) == before


def _as_post(pairs: list[tuple[str, str]]) -> dict:
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data
