"""Reads of the backlog, each in a constant number of queries whatever the number of rows."""
from django.db import connections
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce, Round
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .choices import OPEN_STATUSES, RequirementSource, RequirementStatus, RequirementType
from .models import Comment, Feedback, ProductVersion, Requirement, Tag


def _feedback_count():
    counts = Feedback.objects.filter(requirement=OuterRef("pk")).order_by().values("requirement")
    return Coalesce(Subquery(counts.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


def requirement_list() -> QuerySet[Requirement]:
    """Requirements with what lists and the API show: product, assignee, version, tags, feedback count."""
    return (
        Requirement.objects.select_related("product", "assignee", "target_version")
        .prefetch_related("tags")
        .annotate(feedback_count=_feedback_count())
    )


def _tag_names(queryset: QuerySet[Requirement]) -> QuerySet[Requirement]:
    """Each row's tag names, sorted, in the row itself on PostgreSQL (an array subquery); elsewhere prefetched.
    Read them with `Requirement.tag_name_list`."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset.prefetch_related("tags")
    from django.contrib.postgres.expressions import ArraySubquery

    names = Tag.objects.filter(requirements=OuterRef("pk")).order_by("name").values("name")
    return queryset.annotate(tag_names=ArraySubquery(names))


def requirement_backlog() -> QuerySet[Requirement]:
    """The rows of the backlog page and of the API's list: the requirement's own columns, with the product code,
    the version name, the tag names and the feedback count as columns of the same query. No related model is
    built (a Product row with its state machine costs more to build than the row it is joined to): read
    `product_code`, `target_version_name` and `tag_name_list`."""
    from products.models import Product

    # Subqueries rather than joins: the paginator's COUNT drops them, it would keep a join.
    queryset = Requirement.objects.annotate(
        product_code=Subquery(Product.objects.filter(pk=OuterRef("product_id")).values("code")),
        target_version_name=Subquery(ProductVersion.objects.filter(pk=OuterRef("target_version_id")).values("name")),
        feedback_count=_feedback_count(),
    )
    return _tag_names(queryset)


def requirement_board(*, product) -> dict[str, list[dict]]:
    """The board of one product: cards grouped by status, highest RICE first, in one query.

    Cards are plain dicts (values()): building 2,000 model instances with their state-machine bookkeeping
    costs more than rendering them.
    """
    columns = {status: [] for status in RequirementStatus.values}
    rows = _with_assignee_names(
        Requirement.objects.filter(product=product).order_by("-rice_score", "-id")
        .annotate(rice=Cast(Round("rice_score"), IntegerField()), version=F("target_version__name"))
        .values("id", "title", "priority", "status", "rice", "version", "assignee_id", *_ASSIGNEE_NAME)
    )
    for row in rows:
        columns[row["status"]].append(row)
    return columns


_ASSIGNEE_NAME = ("assignee__username", "assignee__first_name", "assignee__last_name")


def _with_assignee_names(rows) -> list[dict]:
    """Rows with `assignee`: the assignee's name as the user model writes it, built once per assignee from the
    name columns joined in (no user query, no model per row)."""
    from django.contrib.auth import get_user_model

    user, names, out = get_user_model(), {}, []
    for row in rows:
        username, first, last = (row.pop(field) for field in _ASSIGNEE_NAME)
        if row["assignee_id"] is not None and row["assignee_id"] not in names:
            names[row["assignee_id"]] = str(user(username=username, first_name=first, last_name=last))
        row["assignee"] = names.get(row["assignee_id"], "")
        out.append(row)
    return out


def version_scope(*, version: ProductVersion) -> list[dict]:
    """The requirements of a version, highest RICE first, as plain rows (id, title, status and its label, assignee,
    RICE, URL, open or not): a scope of several hundred is a table, not several hundred models with their relations
    and state machines."""
    from django.urls import reverse

    rows = _with_assignee_names(Requirement.objects.filter(target_version=version).order_by("-rice_score", "-id")
                                .values("id", "title", "status", "rice_score", "assignee_id", *_ASSIGNEE_NAME))
    labels = dict(RequirementStatus.choices)
    for row in rows:
        row.update(url=reverse("requirements:detail", args=[row["id"]]), status_label=labels[row["status"]],
                   open=row["status"] in OPEN_STATUSES)
    return rows


def requirement_detail(*, pk) -> Requirement:
    return requirement_list().select_related("created_by").get(pk=pk)


def requirement_history(*, requirement: Requirement) -> list[dict]:
    """Changes of every field people edit (status, priority, version, assignee, title, description, RICE inputs
    and the RICE score they give, due date), newest first, with who and when."""
    from django.contrib.auth import get_user_model

    tracked = ["status", "priority", "target_version", "assignee", "status_reason", "title", "description",
               "source", "type", "due_date", "reach", "impact", "confidence", "effort", "rice"]
    records = list(requirement.history.select_related("history_user").order_by("history_date", "history_id"))
    user_ids, version_ids = set(), set()
    for record in records:
        user_ids.add(record.assignee_id)
        version_ids.add(record.target_version_id)
    users = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=user_ids - {None})}
    versions = {v.pk: v.name for v in ProductVersion.objects.filter(pk__in=version_ids - {None})}
    labels = {
        "status": lambda v: RequirementStatus(v).label if v in RequirementStatus.values else v,
        "priority": lambda v: v,
        "target_version": lambda v: versions.get(v, "—") if v else "—",
        "assignee": lambda v: users.get(v, "—") if v else "—",
        "status_reason": lambda v: v or "—",
        "title": lambda v: v or "—",
        "description": lambda v: Truncator(v).chars(80) if v else "—",
        "source": lambda v: RequirementSource(v).label if v in RequirementSource.values else v,
        "type": lambda v: RequirementType(v).label if v in RequirementType.values else v,
        "due_date": lambda v: v.isoformat() if v else "—",
        "reach": lambda v: f"{v:,}" if v is not None else "—",
        "impact": lambda v: f"{v:g}" if v is not None else "—",
        "confidence": lambda v: f"{v}%" if v is not None else "—",
        "effort": lambda v: f"{v:g}" if v is not None else "—",
        "rice": lambda v: f"{v:,.0f}" if v is not None else "—",
    }
    entries, previous = [], None
    for record in records:
        changes = []
        for name in tracked:
            new = _history_value(record, name)
            old = _history_value(previous, name) if previous else None
            if previous is None or new != old:
                if previous is None and not new:
                    continue
                label = _("RICE 得分") if name == "rice" else Requirement._meta.get_field(name).verbose_name
                changes.append({"field": name, "label": label,
                                "old": labels[name](old) if previous else "", "new": labels[name](new)})
        if changes or previous is None:
            entries.append({"when": record.history_date, "who": record.history_user, "created": previous is None,
                            "changes": changes})
        previous = record
    return list(reversed(entries))


def _history_value(record, name):
    if name in ("target_version", "assignee"):
        return getattr(record, f"{name}_id")
    if name == "rice":
        # The score is generated by PostgreSQL and not kept in the history: it is worked out from the inputs.
        if record.reach is None or not record.effort:
            return None
        return record.reach * record.impact * record.confidence / (record.effort * 100)
    return getattr(record, name)


def requirement_comments(*, requirement: Requirement) -> QuerySet[Comment]:
    return requirement.comments.select_related("author")


def requirement_status_counts(*, product=None) -> dict[str, int]:
    """Counts by status in one aggregate query (for the product page and the board header)."""
    qs = Requirement.objects.all() if product is None else Requirement.objects.filter(product=product)
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in RequirementStatus.values}


def requirement_top_open(*, product, limit: int = 5) -> QuerySet[Requirement]:
    return (Requirement.objects.filter(product=product, status__in=OPEN_STATUSES)
            .select_related("assignee").order_by("-rice_score", "-id")[:limit])


def _scope_count(*, status: str | None = None):
    # The status as the aggregate's filter, not the rows': the scan stays on the version's own index (a status
    # index would be ANDed in, reading every delivered requirement of the bank for each version).
    rows = Requirement.objects.filter(target_version=OuterRef("pk")).order_by().values("target_version")
    count = Count("pk", filter=Q(status=status)) if status else Count("pk")
    return Coalesce(Subquery(rows.annotate(n=count).values("n"), output_field=IntegerField()), 0)


def version_list() -> QuerySet[ProductVersion]:
    """Versions with their scope and progress (delivered / total) as annotations.

    Counted per version shown (subqueries), not by joining and grouping every requirement: with 100,000
    requirements the join made a 50-row page and its COUNT cost 60 ms; the paginator's COUNT drops subqueries."""
    return ProductVersion.objects.select_related("product").annotate(
        total=_scope_count(), delivered=_scope_count(status=RequirementStatus.DELIVERED))


def feedback_list() -> QuerySet[Feedback]:
    return Feedback.objects.select_related("product", "requirement", "complaint")
