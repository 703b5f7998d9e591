"""Chart data for the pages (drawn by static/risks/risks.js with ECharts; no inline scripts)."""
from django.utils.translation import gettext as _

from . import selectors
from .choices import LEVEL_ORDER
from .services import level_matrix

CELL_FILTERS = {"inherent": ("likelihood", "impact"), "residual": ("residual_likelihood", "residual_impact")}


def heatmap_payload(*, queryset, base_url: str, query) -> dict:
    """Both heatmaps of the filtered register: counts per cell, each cell's level, and the link that filters the
    table to that cell (the other filters kept)."""
    levels = level_matrix()
    payload = {"levels": LEVEL_ORDER, "label_likelihood": _("可能性"), "label_impact": _("影响程度"), "maps": []}
    for basis, (l_key, i_key) in CELL_FILTERS.items():
        cells = selectors.heatmap(queryset=queryset, basis=basis)
        links = []
        for likelihood in range(1, 6):
            row = []
            for impact in range(1, 6):
                params = query.copy()
                for key in ("page", "likelihood", "impact", "residual_likelihood", "residual_impact"):
                    params.pop(key, None)
                params[l_key], params[i_key] = likelihood, impact
                row.append(f"{base_url}?{params.urlencode()}")
            links.append(row)
        payload["maps"].append({
            "basis": basis, "title": _("固有风险") if basis == "inherent" else _("剩余风险"), "cells": cells,
            "links": links, "total": sum(map(sum, cells)),
            "cell_levels": [[LEVEL_ORDER.index(levels[(li, im)]) for im in range(1, 6)] for li in range(1, 6)],
        })
    return payload


def assessment_trend(*, assessments) -> dict:
    return {"labels": [a.assessed_at.strftime("%Y-%m-%d") for a in assessments],
            "inherent": [a.inherent_score for a in assessments],
            "residual": [a.residual_score for a in assessments],
            "names": [_("固有风险分值"), _("剩余风险分值")]}
