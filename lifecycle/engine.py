"""The approval engine's extension points: processes and the hooks other apps plug into them.

A *process* is one kind of governed request (a stage gate, a terms change, ...). It declares its subject, who may
submit, its preconditions, the facts its policy rows match on, the snapshot reviewers approve, and what happens on
approval and on rejection. The engine (lifecycle.services) owns everything they share: one open review per product
under a lock, ordered phases of department steps chosen by policy rows, four-eyes, overdue reminders and
escalation, notifications and audit. Apps above lifecycle register their processes and hooks in AppConfig.ready().
"""
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

_PROCESSES: dict[str, "Process"] = {}
_PRECONDITIONS: dict[str, list[Callable]] = defaultdict(list)
_SNAPSHOT_SECTIONS: dict[str, dict[str, Callable]] = defaultdict(dict)
_ON_APPROVED: dict[str, list[Callable]] = defaultdict(list)
_ON_REJECTED: dict[str, list[Callable]] = defaultdict(list)


@dataclass
class Facts:
    """What policy rows match on: the process's target (e.g. the stage a gate leads to), the product's category and
    risk rating, and named boolean facts (e.g. ``expanded`` for a change that widens a product's reach)."""

    target: str = ""
    category: str = ""
    risk_rating: str = ""
    flags: set[str] = field(default_factory=set)


class Process:
    """Base class of a process; subclasses set `code` and `label` and override what differs."""

    code: str = ""
    label = _("评审")
    not_submitter_message = _("您无权提交该评审。")

    def product_of(self, subject):
        """The product a subject concerns (the engine locks it and keeps one open review per product)."""
        return subject

    def can_submit(self, *, user, subject) -> bool:
        raise NotImplementedError

    def resolve_target(self, *, subject, target: str) -> str:
        """The target the review leads to (validated); '' when the process has none."""
        return target or ""

    def preconditions(self, *, subject, target: str) -> dict[str, list[str]]:
        """Errors keyed by field that block submission (the process's own checks); none by default."""
        return {}

    def facts(self, *, subject, target: str) -> Facts:
        product = self.product_of(subject)
        return Facts(target=target, category=product.category, risk_rating=product.risk_rating)

    def snapshot(self, *, subject, target: str) -> dict:
        """What reviewers approve, recorded at submission."""
        return {}

    # Audit actions on the product that shape what a review of this process approves: whoever wrote one since the
    # product's last approved review is a maker (subclasses add their own, e.g. editing a change's draft).
    shaping_actions: tuple[str, ...] = ()
    # Whether open approval conditions of the product refuse a submission (409 conditions_open).
    blocked_by_open_conditions = False

    def makers(self, *, review) -> set[int]:
        """Users four-eyes excludes from deciding (the one maker set, see `maker_set`)."""
        return maker_set(review=review, actions=self.shaping_actions)

    def describe(self, *, review) -> str:
        """One line naming the request, for notifications."""
        return f"{review.product.code} {self.label}"

    def on_approved(self, *, review, user) -> None:
        """What every department's approval sets in motion (in the deciding transaction)."""

    def on_rejected(self, *, review, user) -> None:
        """What a rejection sets in motion (in the deciding transaction)."""


# Audit actions that shape every review of a product: its catalogue edits, owner changes and its deliverables.
PRODUCT_SHAPING_ACTIONS = ("product_updated", "product_owner_changed", "deliverable_done", "deliverable_waived",
                           "deliverable_waiver_requested", "deliverable_reopened", "deliverable_edited")
OWNER_CHANGED = "product_owner_changed"


def maker_cutoff(*, review):
    """When the product's last approved review before this one was decided (its creation when there is none):
    what happened before it was approved by someone else already."""
    from .choices import GateReviewStatus
    from .models import GateReview

    decided = (GateReview.objects.filter(product_id=review.product_id, status=GateReviewStatus.APPROVED,
                                         decided_at__lt=review.submitted_at)
               .order_by("-decided_at").values_list("decided_at", flat=True).first())
    return decided


def maker_set(*, review, actions: tuple[str, ...] = ()) -> set[int]:
    """The one maker set: everyone who shaped what the review approves never decides it.

    The submitter; the product's owner; every owner since the product's last approved review (both sides of each
    audited owner change, and whoever made it); and everyone who, since then, edited the product or its terms,
    ticked, waived, reopened or edited its deliverables, or wrote one of the process's own shaping actions (e.g.
    edited a change's draft). Read from the audit trail in one query (index product, action, created_at)."""
    from core.models import AuditEntry

    makers = {review.submitted_by_id, review.product.owner_id}
    entries = AuditEntry.objects.filter(product_id=review.product_id,
                                        action__in=[*PRODUCT_SHAPING_ACTIONS, *actions])
    cutoff = maker_cutoff(review=review)
    if cutoff is not None:
        entries = entries.filter(created_at__gt=cutoff)
    for actor, action, old, new in entries.values_list("actor_id", "action", "from_value", "to_value"):
        makers.add(actor)
        if action == OWNER_CHANGED:
            makers.update(int(value) for value in (old, new) if str(value).isdecimal())
    makers.discard(None)
    return makers


def register_process(process: Process) -> Process:
    _PROCESSES[process.code] = process
    return process


def get_process(code: str) -> Process:
    return _PROCESSES[code]


def process_choices() -> list[tuple[str, str]]:
    return [(code, str(p.label)) for code, p in sorted(_PROCESSES.items())]


def register_precondition(process: str, check: Callable) -> None:
    """`check(*, subject, target) -> {field: [messages]}` runs on every submission of the process."""
    _PRECONDITIONS[process].append(check)


def register_snapshot_section(process: str, key: str, build: Callable) -> None:
    """`build(*, subject, target) -> JSON` becomes `snapshot[key]` of every review of the process."""
    _SNAPSHOT_SECTIONS[process][key] = build


def register_on_approved(process: str, hook: Callable) -> None:
    """`hook(*, review, user)` runs after the process's own on_approved, in the same transaction."""
    _ON_APPROVED[process].append(hook)


def register_on_rejected(process: str, hook: Callable) -> None:
    _ON_REJECTED[process].append(hook)


def all_preconditions(process: Process, *, subject, target: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for check in [process.preconditions, *_PRECONDITIONS[process.code]]:
        for key, messages in (check(subject=subject, target=target) or {}).items():
            if messages:
                errors.setdefault(key, []).extend(messages)
    return errors


def full_snapshot(process: Process, *, subject, target: str) -> dict:
    snapshot = dict(process.snapshot(subject=subject, target=target))
    for key, build in _SNAPSHOT_SECTIONS[process.code].items():
        snapshot[key] = build(subject=subject, target=target)
    return snapshot


def run_on_approved(process: Process, *, review, user) -> None:
    process.on_approved(review=review, user=user)
    for hook in _ON_APPROVED[process.code]:
        hook(review=review, user=user)


def run_on_rejected(process: Process, *, review, user) -> None:
    process.on_rejected(review=review, user=user)
    for hook in _ON_REJECTED[process.code]:
        hook(review=review, user=user)
