"""Template filters for Egenmakt's pages."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration_words(span: timedelta) -> str:
    """A waiting time as people say it: "3 dagar 4 timmar", "45 minuter"."""
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d dag", "%(n)d dagar", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d timme", "%(n)d timmar", hours) % {"n": hours})
    if not days and (minutes or not parts):
        parts.append(ngettext("%(n)d minut", "%(n)d minuter", minutes) % {"n": minutes})
    return " ".join(parts)
