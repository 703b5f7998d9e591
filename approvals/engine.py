"""The approval engine's extension points: processes, and the one hook registry other apps plug into them.

A *process* is one kind of governed request (a stage gate, a terms change, ...). It declares its subject, who may
submit (or that the system submits it), its preconditions, the facts its policy rows match on, which other reviews
it blocks while open (its lock scope), its outcomes, the snapshot reviewers approve, and what happens on approval,
on rejection and on finishing. The engine (approvals.services) owns everything they share: one open review per
lock key under the product's row lock, ordered phases of department steps chosen by policy rows, four-eyes,
overdue reminders and escalation, notifications and audit. Apps register their processes and hooks in
AppConfig.ready() (`register_process`, `register_hook`).
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core import hooks as core_hooks

_PROCESSES: dict[str, "Process"] = {}

# The lock scope of the product's terms and stage: a stage gate and a terms change never run side by side.
PRODUCT_TERMS = "product_terms"

# Hook events and what each hook receives (keyword arguments):
#   precondition(*, subject, target) -> {field: [messages]}   refuses submission with 400 when any message
#   snapshot(*, subject, target) -> JSON                      becomes snapshot[key] (key = the section name)
#   approved(*, review, user)                                  after the process's own on_approved
#   rejected(*, review, user)                                  after the process's own on_rejected
#   finished(*, review, user, outcome)                         after approved or rejected hooks, both ways
# Every hook runs in the deciding (or submitting) transaction.
EVENTS = ("precondition", "snapshot", "approved", "rejected", "finished")


@dataclass(frozen=True)
class Outcome:
    """One of a process's own approving outcomes (e.g. keep / remediate / exit). `rank` orders them by caution:
    when departments approve with different outcomes, the highest rank prevails (the most cautious view)."""

    code: str
    label: object
    rank: int


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
    # Which reviews this one blocks while open: reviews of the same lock key (see `lock_key`) never run side by
    # side. The stage gate and a terms change share PRODUCT_TERMS; a process with its own scope runs beside them.
    lock_scope: str = PRODUCT_TERMS
    # True when the system opens reviews of this process (a beat task): review_submit(user=None) is then allowed,
    # and the trail names the system as the submitter.
    system_submits: bool = False
    # The process's own approving outcomes; empty means a plain approve / reject.
    outcomes: tuple[Outcome, ...] = ()
    # Whether the any-process policy rows (process "", e.g. senior management deciding last) apply to this
    # process's reviews; False when its own rows say who decides (e.g. senior management only from R4).
    shared_policy: bool = True

    def product_of(self, subject):
        """The product a subject concerns (the engine locks its row for every submission and decision)."""
        return subject

    def lock_key(self, *, subject) -> str:
        """The key of the one open review allowed at a time; it always starts with `lock_scope` and a colon.
        By default one per product and scope; a process may narrow it (e.g. one per subject)."""
        return f"{self.lock_scope}:{self.product_of(subject).pk}"

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

    def review_fields(self, *, subject, target: str) -> dict:
        """Extra GateReview columns a process fills at submission (the stage gate: from_stage / to_stage)."""
        return {}

    def audit_values(self, *, review) -> tuple[str, str]:
        """(from, to) values of the review's submitted / approved / rejected audit entries: by default the
        process's code (named by its label on the audit page) and the target."""
        return review.process, review.target

    def step_notice(self, *, review) -> tuple[str, dict]:
        """(body code marked with gettext_noop, params) telling a department a step waits for it; the engine adds
        `due` to the params."""
        from notifications.services import localised

        return gettext_noop("%(review)s，请在 %(due)s 前审批。"), {
            "review": localised(lambda: self.describe(review=review))}

    def outcome(self, code: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.code == code), None)

    def on_approved(self, *, review, user) -> None:
        """What every department's approval sets in motion (in the deciding transaction)."""

    def on_rejected(self, *, review, user) -> None:
        """What a rejection sets in motion (in the deciding transaction)."""

    def on_finished(self, *, review, user, outcome: str) -> None:
        """Runs after approval or rejection (review.status tells which); `outcome` is the review's outcome code,
        empty for a rejection or a process without outcomes."""


# Audit actions that shape every review of a product: its catalogue edits, owner changes and its deliverables.
PRODUCT_SHAPING_ACTIONS = ("product_updated", "product_owner_changed", "deliverable_done", "deliverable_waived",
                           "deliverable_waiver_requested", "deliverable_reopened", "deliverable_edited")
OWNER_CHANGED = "product_owner_changed"


def maker_cutoff(*, review):
    """When the product's last approved review of the same lock scope before this one was decided (its creation
    when there is none): what happened before it was approved by someone else already. A review of another scope
    (e.g. a marketing material sign-off beside the stage gate) approved something else and does not count."""
    from .choices import GateReviewStatus
    from .models import GateReview

    scope = (review.lock_key or PRODUCT_TERMS).split(":", 1)[0]
    decided = (GateReview.objects.filter(product_id=review.product_id, status=GateReviewStatus.APPROVED,
                                         lock_key__startswith=f"{scope}:", decided_at__lt=review.submitted_at)
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
    """Make a process known to the engine; its code reads as its label wherever the trail stores it."""
    from core.labels import register_code

    _PROCESSES[process.code] = process
    register_code(process.code, process.label)
    return process


def submission_action_label(entry):
    """The audit page's name of a review's submission: the stage gate's entries keep "submit a stage gate review"
    (their from value is a stage); another process's entry (its from value is the process's code, shown beside
    the action by its label) reads "review submitted"."""
    return _("提交评审") if entry.from_value in _PROCESSES else None


def shares_policy(code: str) -> bool:
    """Whether the any-process policy rows apply to reviews of process `code` (an unregistered code: yes)."""
    process = _PROCESSES.get(code)
    return process is None or process.shared_policy


def get_process(code: str) -> Process:
    return _PROCESSES[code]


def outcome_choices() -> list[tuple[str, str]]:
    """Every registered process's own outcomes, by code (what the decisions endpoint accepts as `outcome`)."""
    found = {}
    for process in _PROCESSES.values():
        for outcome in process.outcomes:
            found.setdefault(outcome.code, str(outcome.label))
    return sorted(found.items())


def process_choices() -> list[tuple[str, str]]:
    return [(code, str(p.label)) for code, p in sorted(_PROCESSES.items())]


def _scope(process: str) -> str:
    return f"process:{process}"


def register_hook(process: str, event: str, fn: Callable, *, key: str | None = None) -> None:
    """Run `fn` on `event` (see EVENTS) of every review of `process`, through the one hook registry (core.hooks).
    `key` names a snapshot section (required for "snapshot"); registering the same key again replaces the hook."""
    if event not in EVENTS:
        raise ValueError(f"Unknown engine hook event {event!r}; one of {EVENTS}.")
    if event == "snapshot" and not key:
        raise ValueError("A snapshot hook needs the key of its section.")
    core_hooks.register_hook(_scope(process), event, fn, key=key)


def unregister_hook(process: str, event: str, key) -> None:
    core_hooks.unregister_hook(_scope(process), event, key)


def hooks(process: str, event: str) -> list[tuple[object, Callable]]:
    return core_hooks.hooks(_scope(process), event)


def all_preconditions(process: Process, *, subject, target: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    checks = [process.preconditions, *(fn for _key, fn in hooks(process.code, "precondition"))]
    for check in checks:
        for key, messages in (check(subject=subject, target=target) or {}).items():
            if messages:
                errors.setdefault(key, []).extend(messages)
    return errors


def full_snapshot(process: Process, *, subject, target: str) -> dict:
    snapshot = dict(process.snapshot(subject=subject, target=target))
    for key, build in hooks(process.code, "snapshot"):
        snapshot[key] = build(subject=subject, target=target)
    return snapshot


def run_finish(process: Process, *, review, user) -> None:
    """The process's own finish (on_approved or on_rejected, then on_finished) and the hooks registered for it,
    in the deciding transaction."""
    event = "approved" if review.status == "approved" else "rejected"
    (process.on_approved if event == "approved" else process.on_rejected)(review=review, user=user)
    for _key, hook in hooks(process.code, event):
        hook(review=review, user=user)
    process.on_finished(review=review, user=user, outcome=review.outcome)
    for _key, hook in hooks(process.code, "finished"):
        hook(review=review, user=user, outcome=review.outcome)
