"""Every page a demo role reaches, in both languages: no server error, nothing a reader must never see, and every
list's CSV and XLSX export answers a file.

One URL per shape (tests/pages/crawl.py) from the home page, plus the detail pages of every kind of object the demo
holds (a product in each stage, a change in each state, a risk of each status, an exit plan, a review of each
process), so a page that only breaks for one state is still visited.
"""
import pytest
from django.conf import settings

from tests.pages import crawl

# One demo login per role (accounts/demo.py); reviewers differ only by department.
# Declared, not only reached through demo_data: pytest-django creates the test database only for tests that declare
# it, and a module run alone would otherwise seed the demo into the developer's database.
pytestmark = pytest.mark.django_db
ROLES = ["pm1", "risk1", "exec1", "head1", "admin"]
LANGUAGES = ["zh-hans", "en"]
MAX_PAGES = 400


def _object_pages() -> list[str]:
    """A detail page for each state of each kind of object the demo holds."""
    from approvals.models import GateReview
    from changes.models import Change
    from exits.models import ExitPlan
    from products.models import Product
    from reviews.models import ProductReview
    from risks.models import Risk

    urls = []
    for model, state in ((Product, "stage"), (Change, "status"), (Risk, "status")):
        firsts = {}
        for pk, value in model.objects.order_by("pk").values_list("pk", state):
            firsts.setdefault(value, pk)
        urls += [f"{model.objects.get(pk=pk).get_absolute_url()}" for pk in firsts.values()]
    for plan in ExitPlan.objects.order_by("pk")[:1]:
        urls += [f"/exits/products/{plan.product_id}/plan/", plan.product.get_absolute_url()]
    # A periodic review in each state and with each outcome (its page, the pack and the decision form differ).
    for review in ProductReview.objects.order_by("status", "outcome", "pk").distinct("status", "outcome"):
        urls.append(review.get_absolute_url())
    for review in GateReview.objects.order_by("process", "status", "pk").distinct("process", "status"):
        urls += [review.product.get_absolute_url(), f"/lifecycle/products/{review.product_id}/gate/"]
    return list(dict.fromkeys(urls))


def _is_file(response) -> bool:
    return response.status_code == 200 and "attachment" in response.get("Content-Disposition", "") and bool(
        b"".join(response.streaming_content) if response.streaming else response.content)


def crawl_as(client, *, username: str, language: str, codes: set[str]) -> tuple[list[str], int]:
    from accounts.models import User

    user = User.objects.get(username=username)
    type(user).objects.filter(pk=user.pk).update(language=language)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    failures, seen, queue = [], set(), ["/", *_object_pages()]
    forced = set(queue)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        key = crawl.shape(url)
        if key in seen and url not in forced:
            continue
        seen.add(key)
        forced.discard(url)
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code}")
        elif "export=" in url:
            if not _is_file(response):
                failures.append(f"{url}: export answered {response.status_code} {response.get('Content-Type')}")
        elif response.status_code in (301, 302):
            queue.append(crawl.followable(response["Location"], base=url) or "/")
        elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
            page = crawl.parse(url, response.content.decode())
            failures += [f"{url}: {problem}" for problem in crawl.problems(page, codes=codes)]
            queue += [link for link in (crawl.followable(href, base=url) for href in page.links)
                      if link and crawl.shape(link) not in seen]
    return failures, len(seen)


@pytest.fixture(scope="module")
def codes():
    """The choice codes to look for: all of them on Chinese pages; on English pages those that are not also an
    ordinary English word of the translations (`draft` cannot be told from prose there)."""
    every = set(crawl.choice_codes())
    words = crawl.english_words()
    return {"zh-hans": every, "en": {c for c in every if "_" in c or c not in words}}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_reaches_is_whole_and_in_words(client, demo_data, codes, username, language):
    failures, visited = crawl_as(client, username=username, language=language, codes=codes[language])
    assert visited > 20, f"the crawl reached only {visited} kinds of page"
    assert failures == [], "\n".join(failures)
