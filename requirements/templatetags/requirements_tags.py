"""Template helpers of the backlog, and the product page's backlog section (inclusion tag)."""
from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from core.colours import colour

from .. import selectors
from ..choices import RequirementStatus

register = template.Library()


@register.filter
def whole(value):
    """A score as a whole number with thousands separators ("64,000"; cheaper than floatformat)."""
    return "" if value is None else f"{int(value):,}"


@register.inclusion_tag("requirements/_product_backlog.html", takes_context=True)
def product_backlog(context, product):
    """Counts by status and the top open items by RICE for the product page (two queries)."""
    counts = selectors.requirement_status_counts(product=product)
    return {
        "product": product,
        "counts": [(status, RequirementStatus(status).label, counts[status]) for status in RequirementStatus.values],
        "total": sum(counts.values()),
        "top": selectors.requirement_top_open(product=product),
        "request": context.get("request"),
    }


@register.simple_tag
def board_cards(cards, detail_prefix):
    """The cards of one board column, built as one string: the template engine spends ~0.1 ms per card on
    variable lookups and number localisation, too slow for a 2,000-card board."""
    parts = []
    for card in cards:
        version = (f'<span class="badge bg-purple-lt ms-auto">{escape(card["version"])}</span>'
                   if card["version"] else "")
        assignee = (f'<div class="small text-secondary mt-1">{escape(card["assignee"])}</div>'
                    if card["assignee"] else "")
        parts.append(
            f'<div class="board-card card card-sm" data-id="{card["id"]}"><div class="card-body p-2">'
            f'<a href="{detail_prefix}{card["id"]}/" class="d-block text-reset fw-medium mb-1">{escape(card["title"])}'
            f'</a><div class="d-flex align-items-center gap-1 small"><span class="badge '
            f'bg-{colour(card["priority"], "priority")}-lt">{escape(card["priority"])}</span>'
            f'<span class="text-secondary">#{card["id"]} · RICE {whole(card["rice"])}</span>{version}</div>{assignee}'
            f"</div></div>"
        )
    return mark_safe("".join(parts))  # every value above is escaped or an integer


@register.simple_tag
def backlog_rows(rows, can_edit, detail_prefix, product_prefix):
    """The backlog table's rows (requirements from `selectors.requirement_backlog`), built as one string like the
    board's cards: through the template engine, 50 rows cost more than the rest of the page (three
    get_FOO_display() per row hash their lazy choices on every call)."""
    from html import escape  # Django's escape() is this behind a lazy-string check, per call

    from ..choices import RequirementSource, RequirementType

    def labels(choices):  # the labels translated once per page, not once per row
        return {value: escape(str(label)) for value, label in choices}

    types, sources, statuses = labels(RequirementType.choices), labels(RequirementSource.choices), \
        labels(RequirementStatus.choices)
    parts = []
    for r in rows:
        pk = int(r.pk)
        check = (f'<td><input type="checkbox" class="form-check-input row-check" name="ids" value="{pk}" '
                 f'aria-label="#{pk}"></td>') if can_edit else ""
        feedback = ""
        if r.feedback_count:
            n = r.feedback_count
            feedback = (' · <span class="text-blue">'
                        + escape(ngettext("%(n)s 条反馈", "%(n)s 条反馈", n) % {"n": n}) + "</span>")
        tags = "".join(f'<span class="badge bg-blue-lt ms-1">{escape(t)}</span>' for t in r.tag_name_list)
        version = (f'<a href="{detail_prefix}versions/{int(r.target_version_id)}/">'
                   f'{escape(r.target_version_name)}</a>') if r.target_version_id else "—"
        assignee = escape(str(r.assignee)) if r.assignee_id else "—"
        parts.append(
            f'<tr data-id="{pk}">\n          {check}\n'
            f'          <td class="text-secondary">#{pk}</td>\n'
            f'          <td>\n            <a href="{detail_prefix}{pk}/" class="fw-bold">{escape(r.title)}</a>\n'
            f'            <div class="small text-secondary">{types.get(r.type) or escape(r.type)} · '
            f'{sources.get(r.source) or escape(r.source)}{feedback}\n            {tags}</div>\n          </td>\n'
            f'          <td class="small"><a href="{product_prefix}{int(r.product_id)}/" class="text-reset">'
            f'{escape(r.product_code)}</a></td>\n'
            f'          <td><span class="badge bg-{colour(r.status, "requirement_status")}-lt">'
            f'{statuses.get(r.status) or escape(r.status)}</span></td>\n'
            f'          <td><span class="badge bg-{colour(r.priority, "priority")}-lt">'
            f'{escape(r.priority)}</span></td>\n'
            f'          <td class="fw-bold">{whole(r.rice_score)}</td>\n'
            f'          <td class="small">{assignee}</td>\n'
            f'          <td class="small">{version}</td>\n'
            f'          <td class="small text-secondary">{r.due_date.isoformat() if r.due_date else "—"}</td>\n'
            f"        </tr>\n"
        )
    return mark_safe("".join(parts))  # every value above is escaped, an integer or a fixed class name
