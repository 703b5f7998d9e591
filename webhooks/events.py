"""Which audited actions are webhook events (core.audit listener), and the alerts kpis opens (kpis.hooks): each
becomes an event row and its deliveries in the transaction that audits it, on every path (page, API, admin, task).
"""
from .choices import EventType

# Audit action code -> (event type, milestone or decision it names).
AUDITED_EVENTS = {
    "stage_changed": (EventType.STAGE_CHANGED, ""),
    "review_submitted": (EventType.REVIEW_SUBMITTED, ""),
    "review_approved": (EventType.REVIEW_DECIDED, "approved"),
    "review_rejected": (EventType.REVIEW_DECIDED, "rejected"),
    "terms_version_activated": (EventType.TERMS_VERSION_ACTIVATED, ""),
    "change_rolled_out": (EventType.CHANGE_ROLLED_OUT, "criteria_met"),
    "change_rollout_overridden": (EventType.CHANGE_ROLLED_OUT, "overridden"),
    "kpi_alert_resolved": (EventType.KPI_ALERT_RESOLVED, "resolved"),
    "risk_accepted": (EventType.RISK_ACCEPTED, ""),
    "exit_plan_created": (EventType.EXIT_MILESTONE_REACHED, "plan_created"),
    "exit_tasks_created": (EventType.EXIT_MILESTONE_REACHED, "aftercare_started"),
    # Conditions of a conditional approval, audited by approvals.conditions under these codes.
    "condition_set": (EventType.CONDITION_OPENED, ""),
    "condition_overdue": (EventType.CONDITION_OVERDUE, ""),
}


def on_audit_entry(*, entry) -> None:
    mapped = AUDITED_EVENTS.get(entry.action)
    if mapped is None:
        return
    from .services import webhook_event_publish

    event_type, detail = mapped
    product = entry.product
    webhook_event_publish(type=event_type, occurred_at=entry.created_at, data={
        "object_type": entry.object_type, "object_id": entry.object_id,
        "product": {"id": product.pk, "code": product.code} if product is not None else None,
        "action": entry.action, "detail": detail, "from": entry.from_value, "to": entry.to_value,
        "actor": entry.actor.username if entry.actor is not None else None, "comment": entry.comment,
        "audit_entry": entry.pk,
    })


def on_alerts_opened(*, alerts) -> None:
    from .services import webhook_events_publish

    webhook_events_publish(events=[(EventType.KPI_ALERT_OPENED, {
        "object_type": "alert", "object_id": str(alert.pk),
        "product": {"id": alert.product_id, "code": alert.product.code}, "action": "kpi_alert_opened",
        "detail": "opened", "metric": alert.metric.code, "period": alert.period,
        "value": _figure(alert.value, alert.metric.decimals),
        "critical_threshold": _figure(alert.critical_threshold, alert.metric.decimals),
    }, alert.opened_at) for alert in alerts])


def _figure(value, decimals):
    """A decimal string in the metric's precision (never a binary-float artefact)."""
    from kpis.api.serializers import figure

    rounded = figure(value, decimals)
    return None if rounded is None else str(rounded)
