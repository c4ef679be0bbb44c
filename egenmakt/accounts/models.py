"""Staff accounts and their memberships: which unit, in which role, for which period."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egenmakt.organisations.models import Unit


class Role(models.TextChoices):
    HANDLAGGARE = "handlaggare", _("Handläggare")
    ARBETSMARKNADSKONSULENT = "arbetsmarknadskonsulent", _("Arbetsmarknadskonsulent")
    ENHETSCHEF = "enhetschef", _("Enhetschef")
    ANALYTIKER = "analytiker", _("Analytiker")
    # The head of a samordningsförbund's kansli: follows the activities the förbund funds, their cost and
    # outcomes, as aggregates.
    FORBUNDSCHEF = "forbundschef", _("Förbundschef")
    # A member of the nämnd (förtroendevald): goals, commitments and aggregates, never a person.
    FORTROENDEVALD = "fortroendevald", _("Förtroendevald")
    PARTNER = "partner", pgettext_lazy("roll", "Samverkanspartner")
    SYSTEMADMINISTRATOR = "systemadministrator", _("Systemadministratör")


# Roles that work with individual participants of their own unit.
CASEWORK_ROLES = frozenset({Role.HANDLAGGARE, Role.ARBETSMARKNADSKONSULENT, Role.ENHETSCHEF})


class User(AbstractUser):
    """A member of staff. Participants do not log in here (yet); staff of every organisation do."""

    class Meta:
        verbose_name = _("anställd")
        verbose_name_plural = _("personal")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, on: date | None = None) -> MembershipQuerySet:
        on = on or timezone.localdate()
        return self.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))


class Membership(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("personal"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("enhet"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("roll"), max_length=30, choices=Role.choices)
    valid_from = models.DateField(_("gäller från"), default=timezone.localdate)
    valid_to = models.DateField(_("gäller till och med"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("ental", "medlemskap")
        verbose_name_plural = pgettext_lazy("flertal", "medlemskap")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role", "valid_from"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.unit}"
