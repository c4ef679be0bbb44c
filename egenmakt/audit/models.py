"""The audit trail: who did what to whose data, when, for what purpose and on what legal ground.

Append-only. On PostgreSQL a trigger rejects UPDATE and DELETE (see migration 0002). Every event
carries the hash of the one before it, so an edited or removed row breaks the chain and
`manage.py verify_audit` names the first broken event. The trail refers to what it logs by type and
id, so it imports no domain app and outlives any row it mentions.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    # Our own gap-free sequence: database ids may skip values after a rollback, seq never does, so a
    # missing number is a removed event.
    seq = models.PositiveBigIntegerField(_("löpnummer"), unique=True)
    occurred_at = models.DateTimeField(_("tidpunkt"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utförare"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the (actor, occurred_at) index begins with it
    )
    # A snapshot of who the actor was, readable even if the account is later renamed.
    actor_label = models.CharField(_("utförare (namn)"), max_length=200)
    action = models.CharField(_("händelse"), max_length=80)
    target_type = models.CharField(_("objekttyp"), max_length=80, blank=True)
    target_id = models.CharField(_("objekt-id"), max_length=64, blank=True)
    participant_id = models.BigIntegerField(_("deltagare"), null=True, blank=True, db_index=True)
    category = models.CharField(_("uppgiftskategori"), max_length=40, blank=True)
    purpose = models.CharField(_("ändamål"), max_length=200, blank=True)
    legal_ground = models.CharField(_("rättslig grund"), max_length=200, blank=True)
    detail: models.JSONField[Any] = models.JSONField(_("detaljer"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("logghändelse")
        verbose_name_plural = _("logghändelser")
        ordering = ["seq"]
        # Every page that lists people appends to this table, so it carries no index it does not need:
        # declared here rather than with db_index/unique on the fields, PostgreSQL gets no second,
        # pattern-matching (LIKE) index of `action` and `hash`, which nothing searches that way.
        indexes = [
            models.Index(fields=["actor", "occurred_at"]),
            models.Index(fields=["action"], name="audit_event_action"),
        ]
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_event_hash_unique")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label}: {self.action}"
