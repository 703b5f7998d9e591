"""Tabler colour names of the stored codes that pages show as badges (a stage, a status, a level...), in one place:
`{{ value|colour:"stage" }}` in a template (core_tags), `colour(value, "stage")` in code. Unknown codes are grey."""

PALETTES = {
    "stage": {"planning": "azure", "development": "indigo", "marketing": "purple", "operation": "green",
              "retirement": "orange", "retired": "secondary", "cancelled": "red"},
    "risk_rating": {"R1": "green", "R2": "teal", "R3": "yellow", "R4": "orange", "R5": "red"},
    "risk_level": {"low": "green", "medium": "yellow", "high": "orange", "critical": "red"},
    "risk_status": {"open": "blue", "pending_acceptance": "orange", "accepted": "green", "needs_review": "red",
                    "closed": "secondary"},
    "requirement_status": {"new": "azure", "analysing": "cyan", "confirmed": "indigo", "scheduled": "purple",
                           "in_development": "orange", "delivered": "green", "rejected": "red",
                           "deferred": "secondary"},
    "priority": {"P0": "red", "P1": "orange", "P2": "blue", "P3": "secondary"},
    "sentiment": {"positive": "green", "neutral": "secondary", "negative": "red"},
    # A change's status, and a terms version's (active, scheduled, superseded).
    "change_status": {"draft": "secondary", "submitted": "blue", "approved": "teal", "rejected": "red",
                      "piloting": "orange", "rolled_out": "green", "withdrawn": "secondary", "active": "green",
                      "scheduled": "blue", "superseded": "secondary"},
    "kpi_status": {"green": "green", "amber": "yellow", "red": "red", "none": "secondary"},
    "alert_status": {"open": "red", "acknowledged": "orange", "resolved": "green"},
}


def colour(value, palette: str) -> str:
    return PALETTES[palette].get(str(value), "secondary")
