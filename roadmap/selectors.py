"""The roadmap's one selector: every item of every product in a window, for the page, the API and the export.

Nine queries whatever the number of products (products, reviews, terms versions, changes, exit plans,
deliverables, open approval conditions, plans and the versions they compare with), each filtered by the same
product subquery; rows are grouped per product in Python.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from changes.choices import ChangeStatus
from changes.models import Change, TermsVersion
from exits.models import ExitPlan
from lifecycle.choices import STAGE_GATE, ConditionStatus, DeliverableStatus, GateReviewStatus, StepStatus
from lifecycle.engine import process_choices
from lifecycle.models import ApprovalStep, Condition, Deliverable, GateReview
from products.choices import LifecycleStage, ProductCategory
from products.models import Product

from .choices import PlanKind, PlanStatus
from .models import RoadmapPlan

TERMINAL = {LifecycleStage.RETIRED, LifecycleStage.CANCELLED}


@dataclass(frozen=True)
class Window:
    """The days the roadmap shows, both ends inclusive."""

    start: date
    end: date


def _day(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value else None


def _overlaps(start: date | None, end: date | None, window: Window) -> bool:
    return (start or end) is not None and (start or end) <= window.end and (end or window.end) >= window.start


def roadmap_products(*, products: QuerySet[Product]) -> QuerySet[Product]:
    """The filtered products, ordered for grouping (the caller's FilterSet applied)."""
    return products.order_by("code")


def roadmap(*, products: QuerySet[Product], window: Window, today: date | None = None) -> list[dict]:
    """One dict per product with its stage spans, target dates (planned vs actual), gate reviews, terms versions,
    pilots, rollouts, exit dates, due deliverables and open approval conditions that touch the window."""
    today = today or timezone.localdate()
    ids = products.values("pk")
    english = (get_language() or "").startswith("en")
    labels = _labels()
    rows = list(products.order_by("code").values(
        "id", "code", "name", "name_en", "category", "stage", "created_at", "owner_id", "owner__username",
        "owner__first_name", "owner__last_name"))
    by_product = {row["id"]: _product_item(row, english=english, labels=labels) for row in rows}
    history = _reviews(ids=ids, window=window, today=today, labels=labels, items=by_product)
    for pk, item in by_product.items():
        item["spans"] = _spans(item, history.get(pk, []), window=window, today=today, labels=labels)
    _versions(ids=ids, window=window, items=by_product)
    _changes(ids=ids, window=window, items=by_product)
    _exits(ids=ids, window=window, items=by_product)
    _deliverables(ids=ids, window=window, today=today, english=english, items=by_product)
    _conditions(ids=ids, window=window, today=today, items=by_product)
    _plans(ids=ids, window=window, today=today, labels=labels, items=by_product)
    for item in by_product.values():
        del item["_created"], item["_entered"]
    return list(by_product.values())


def _labels() -> dict[str, dict[str, str]]:
    return {"stage": {k: str(v) for k, v in LifecycleStage.choices},
            "category": {k: str(v) for k, v in ProductCategory.choices},
            "process": dict(process_choices()),
            "review_status": {k: str(v) for k, v in GateReviewStatus.choices},
            "change_status": {k: str(v) for k, v in ChangeStatus.choices},
            "plan_status": {k: str(v) for k, v in PlanStatus.choices}}


def _product_item(row: dict, *, english: bool, labels: dict) -> dict:
    owner_name = f"{row['owner__last_name']}{row['owner__first_name']}".strip() or row["owner__username"]
    return {
        "id": row["id"], "code": row["code"], "name": (english and row["name_en"]) or row["name"],
        "category": row["category"], "category_label": labels["category"].get(row["category"], row["category"]),
        "owner": row["owner__username"], "owner_name": owner_name,
        "stage": row["stage"], "stage_label": labels["stage"].get(row["stage"], row["stage"]),
        "_created": _day(row["created_at"]),
        "spans": [], "plans": [], "gates": [], "versions": [], "pilots": [], "rollouts": [], "exit": None,
        "deliverables": [], "conditions": [],
    }


def _reviews(*, ids, window: Window, today: date, labels: dict, items: dict) -> dict[int, list[tuple[date, str]]]:
    """Gate reviews in the window go to `gates`; every approved stage gate (in or out of it) is returned as the
    product's stage history [(day, stage entered)]."""
    late_step = ApprovalStep.objects.filter(review=OuterRef("pk")).filter(
        Q(overdue=True) | Q(status=StepStatus.PENDING, due_date__lt=today))
    reviews = GateReview.objects.filter(product_id__in=ids).annotate(late=Exists(late_step)).order_by(
        "submitted_at", "id").values_list("id", "product_id", "process", "to_stage", "status", "submitted_at",
                                          "decided_at", "late")
    history: dict[int, list[tuple[date, str]]] = defaultdict(list)
    now = timezone.now()
    for pk, product_id, process, to_stage, status, submitted, decided, late in reviews:
        if process == STAGE_GATE and status == GateReviewStatus.APPROVED and decided:
            history[product_id].append((_day(decided), to_stage))
        start, end = _day(submitted), _day(decided)
        if not _overlaps(start, end or today, window):
            continue
        label = labels["process"].get(process, process)
        if process == STAGE_GATE and to_stage:
            label = f"{label} → {labels['stage'].get(to_stage, to_stage)}"
        items[product_id]["gates"].append({
            "id": pk, "process": process, "label": label, "to_stage": to_stage, "status": status,
            "status_label": labels["review_status"].get(status, status), "submitted": start, "decided": end,
            "lead_days": round(((decided or now) - submitted).total_seconds() / 86400, 1),
            "overdue": bool(late)})
    return history


def _spans(item: dict, history: list[tuple[date, str]], *, window: Window, today: date, labels: dict) -> list[dict]:
    """Actual stage spans from the product's creation and its approved stage gates; the last one is the product's
    current stage (the truth even where a product was imported in a later stage without gate history)."""
    entries = [(item["_created"], LifecycleStage.PLANNING.value), *history]
    if entries[-1][1] != item["stage"]:
        entries.append((entries[-1][0], item["stage"]))
    item["_entered"] = {stage: day for day, stage in reversed(entries)}  # the first entry of each stage
    spans = []
    for index, (start, stage) in enumerate(entries):
        following = entries[index + 1][0] if index + 1 < len(entries) else None
        if stage in TERMINAL:
            end = start
        else:
            end = following or today
        if following is not None and following == start and index + 1 < len(entries):
            continue  # entered and left on the same day (or an import's placeholder): no span to draw
        if _overlaps(start, end, window):
            spans.append({"stage": stage, "label": labels["stage"].get(stage, stage), "start": start, "end": end,
                          "current": following is None})
    return spans


def _versions(*, ids, window: Window, items: dict) -> None:
    rows = TermsVersion.objects.filter(product_id__in=ids, effective_from__range=(window.start, window.end)).order_by(
        "effective_from", "version").values_list("product_id", "version", "effective_from")
    for product_id, version, start in rows:
        items[product_id]["versions"].append({"version": version, "date": start})


def _changes(*, ids, window: Window, items: dict) -> None:
    """Pilots (their planned or actual days) and rollouts (the day a piloted change was rolled out)."""
    labels = {k: str(v) for k, v in ChangeStatus.choices}
    rows = Change.objects.filter(product_id__in=ids).filter(
        Q(pilot_start__isnull=False) | Q(status=ChangeStatus.ROLLED_OUT)).order_by("id").values_list(
        "id", "product_id", "summary", "status", "pilot_start", "pilot_end", "closed_at")
    for pk, product_id, summary, status, start, end, closed in rows:
        if start and _overlaps(start, end or start, window):
            items[product_id]["pilots"].append({"id": pk, "summary": summary, "start": start, "end": end,
                                                "status": status, "status_label": labels.get(status, status)})
        rolled = _day(closed) if status == ChangeStatus.ROLLED_OUT else None
        if rolled and window.start <= rolled <= window.end:
            items[product_id]["rollouts"].append({"id": pk, "summary": summary, "date": rolled})


def _exits(*, ids, window: Window, items: dict) -> None:
    rows = ExitPlan.objects.filter(product_id__in=ids).values_list("product_id", "notice_date", "close_date")
    for product_id, notice, close in rows:
        if any(day and window.start <= day <= window.end for day in (notice, close)):
            items[product_id]["exit"] = {"notice": notice, "close": close}


def _deliverables(*, ids, window: Window, today: date, english: bool, items: dict) -> None:
    rows = Deliverable.objects.filter(product_id__in=ids, status=DeliverableStatus.OPEN,
                                      due_date__range=(window.start, window.end)).order_by("due_date", "id")
    rows = rows.values_list("id", "product_id", "title", "title_en", "stage", "due_date")
    for pk, product_id, title, title_en, stage, due in rows:
        items[product_id]["deliverables"].append({"id": pk, "title": (english and title_en) or title, "stage": stage,
                                                  "due": due, "overdue": due < today})


def _conditions(*, ids, window: Window, today: date, items: dict) -> None:
    """Open approval conditions at their due date (overdue once the day has passed, like deliverables)."""
    rows = Condition.objects.filter(product_id__in=ids, status=ConditionStatus.OPEN,
                                    due__range=(window.start, window.end)).order_by("due", "id")
    rows = rows.values_list("id", "product_id", "review_id", "action", "department", "owner__username", "due")
    for pk, product_id, review_id, action, department, owner, due in rows:
        items[product_id]["conditions"].append({"id": pk, "review": review_id, "action": action,
                                                "department": department, "owner": owner, "due": due,
                                                "overdue": due < today})


def _plans(*, ids, window: Window, today: date, labels: dict, items: dict) -> None:
    """Target dates next to what happened: a stage's entry day, a version's effective day; slip in days."""
    versions = dict(((p, v), d) for p, v, d in TermsVersion.objects.filter(product_id__in=ids).values_list(
        "product_id", "version", "effective_from"))
    rows = RoadmapPlan.objects.filter(product_id__in=ids).values_list("product_id", "kind", "stage", "version",
                                                                      "target_date")
    plans = sorted(rows, key=lambda r: (r[0], r[4]))
    for product_id, kind, stage, version, target in plans:
        if kind == PlanKind.STAGE:
            actual = items[product_id]["_entered"].get(stage)
            label = labels["stage"].get(stage, stage)
        else:
            actual = versions.get((product_id, version))
            label = f"v{version}"
        if not _overlaps(min(target, actual or target), max(target, actual or target), window):
            continue
        slip = _slip(target, actual, today)
        items[product_id]["plans"].append({"kind": kind, "stage": stage, "version": version, "label": label,
                                           "target": target, "actual": actual, **slip,
                                           "status_label": labels["plan_status"][slip["status"]]})


def _slip(target: date, actual: date | None, today: date) -> dict:
    """Days late (positive) or early (negative); an unreached target past today is overdue by the days since."""
    if actual is not None:
        slip = (actual - target).days
        return {"slip_days": slip, "status": (PlanStatus.LATE if slip > 0 else PlanStatus.ON_TIME).value}
    if target < today:
        return {"slip_days": (today - target).days, "status": PlanStatus.OVERDUE.value}
    return {"slip_days": 0, "status": PlanStatus.PLANNED.value}
