"""How each section of a review snapshot is shown to reviewers: one small template per section name.

Processes add sections to a snapshot by name (`engine.register_hook(process, "snapshot", build, key=name)`); the
page shows each with the template registered here for that name, in this order. A section without a template of
its own is shown as a labelled table (snapshot/generic.html), never as a dump. `None` hides a section the review
header already shows.
"""
SECTION_TEMPLATES: dict[str, str | None] = {
    "product": "lifecycle/snapshot/product.html",
    "change": "lifecycle/snapshot/change.html",
    "diff": "lifecycle/snapshot/diff.html",
    "terms": "lifecycle/snapshot/terms.html",
    "deliverables": "lifecycle/snapshot/deliverables.html",
    "risk_register": "lifecycle/snapshot/risk_register.html",
    "exit_plan": "lifecycle/snapshot/exit_plan.html",
    "from_stage": None,
    "to_stage": None,
}
GENERIC_TEMPLATE = "lifecycle/snapshot/generic.html"
# The heading of a section a process registered (lazy translations); the built-in ones are named in the tag.
SECTION_TITLES: dict[str, object] = {}


def register_section_template(key: str, template: str | None, *, title=None) -> None:
    """Show snapshot section `key` with `template` under `title` (a process that adds a section registers its look
    here)."""
    SECTION_TEMPLATES[key] = template
    if title is not None:
        SECTION_TITLES[key] = title


def snapshot_sections(snapshot: dict | None) -> list[dict]:
    """The sections of `snapshot` to show, registered ones first in registry order, each with its template."""
    snapshot = snapshot or {}
    order = list(SECTION_TEMPLATES)
    keys = sorted((k for k, v in snapshot.items() if v not in (None, {}, [], "")),
                  key=lambda k: (order.index(k) if k in order else len(order), k))
    return [{"key": k, "value": snapshot[k], "template": SECTION_TEMPLATES.get(k, GENERIC_TEMPLATE)}
            for k in keys if SECTION_TEMPLATES.get(k, GENERIC_TEMPLATE)]
