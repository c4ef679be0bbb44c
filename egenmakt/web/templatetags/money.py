"""Template filters for economic assistance: kronor the Swedish way, and days since a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils import timezone

from egenmakt.lib.money import kr as format_kr

register = template.Library()


@register.filter
def kr(amount: Any) -> str:
    """12 345 kr, with no-break spaces and a real minus sign; empty for no amount."""
    if amount is None or amount == "":
        return ""
    return format_kr(int(amount))


@register.filter
def days_since(day: date | None) -> int | None:
    if day is None:
        return None
    return (timezone.localdate() - day).days
