"""The data categories that access, consent and the audit trail speak of (DESIGN §4).

A consent covers categories; the policy decides per category; every audit event names one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataCategory(models.TextChoices):
    GRUNDUPPGIFTER = "grunduppgifter", _("Grunduppgifter")
    PLAN_OCH_INSATSER = "plan_och_insatser", _("Plan och insatser")
    NARVARO = "narvaro", _("Närvaro")
    EKONOMI = "ekonomi", _("Ekonomi")
    HALSA = "halsa", _("Hälsa och funktionsnedsättning")
