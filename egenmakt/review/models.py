"""Case review (ärendedragning) and early-intervention signals.

A unit manager switches rules on per unit (`ReviewRule`). The queue and the signals are computed when they
are shown: what is stored is what people did about them, a `Review` (the case journal's entry of the
review) and a `SignalHandling` (acted on or dismissed, for the facts the signal fired for). Only the size
of each unit's queue is kept (`QueueCount`), for the manager's start page: working the queue out for a
large unit takes seconds, a start page must open at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.cases.models import Case
from egenmakt.organisations.models import Unit
from egenmakt.people.models import Participant


class RuleKind(models.TextChoices):
    # The case-review queue.
    LANGVARIGT = "langvarigt", _("Långvarigt ekonomiskt bistånd")
    UNGA_UTAN_INSATS = "unga_utan_insats", _("Unga utan pågående insats")
    UPPFOLJNING_FORSENAD = "uppfoljning_forsenad", _("Planens uppföljning är försenad")
    BESLUT_VANTAR = "beslut_vantar", _("Ansökan väntar på beslut")
    # Early-intervention signals: suggestions someone reviews, never actions taken by themselves.
    SIGNAL_BARN_LANGVARIGT = "signal_barn_langvarigt", _("Barn i hushåll med långvarigt bistånd")
    SIGNAL_UNGA_INAKTIVA = "signal_unga_inaktiva", _("Unga utan aktivitet i flera veckor")
    SIGNAL_EJ_DIGITAL = "signal_ej_digital", _("Inte digital och ingen adress för brev")


QUEUE_KINDS = (
    RuleKind.LANGVARIGT,
    RuleKind.UNGA_UTAN_INSATS,
    RuleKind.UPPFOLJNING_FORSENAD,
    RuleKind.BESLUT_VANTAR,
)
SIGNAL_KINDS = (RuleKind.SIGNAL_BARN_LANGVARIGT, RuleKind.SIGNAL_UNGA_INAKTIVA, RuleKind.SIGNAL_EJ_DIGITAL)


class ReviewRule(models.Model):
    """One rule of one unit, as its manager set it. A unit without a row has the rule off."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("enhet"), on_delete=models.CASCADE, related_name="review_rules"
    )
    kind = models.CharField(_("regel"), max_length=30, choices=RuleKind.choices)
    active = models.BooleanField(_("på"), default=False)
    # Days or weeks depending on the kind (see rules/review.toml); null where the kind has none.
    parameter = models.PositiveSmallIntegerField(_("parameter"), null=True, blank=True)
    # The age span of "young people"; by default target group "uvas" (16–29).
    min_age = models.PositiveSmallIntegerField(_("från ålder"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("till och med ålder"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ändrad av"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("ändrad"), default=timezone.now)

    class Meta:
        verbose_name = _("regel för ärendedragning")
        verbose_name_plural = _("regler för ärendedragning")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind"], name="review_rule_once_per_unit"),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(max_age__gte=models.F("min_age")),
                name="review_rule_age_span",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.get_kind_display()}"


class Review(models.Model):
    """An ärendedragning of one person, entered in the journal of their case in the unit."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("deltagare"), on_delete=models.PROTECT, related_name="reviews"
    )
    case = models.ForeignKey(Case, verbose_name=_("ärende"), on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField(_("datum"))
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("deltog"), related_name="+")
    # The queue's reasons when the review was held, in words, as the journal shows them.
    reasons = models.JSONField(_("skäl"), default=list)
    conclusions = models.TextField(_("slutsatser"))
    next_step = models.TextField(_("nästa steg"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registrerad av"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ärendedragning")
        verbose_name_plural = _("ärendedragningar")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["case", "held_on"])]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.held_on:%Y-%m-%d}"


class SignalOutcome(models.TextChoices):
    ATGARDAD = "atgardad", _("Åtgärdad")
    AVFARDAD = "avfardad", _("Avfärdad")


class SignalHandling(models.Model):
    """What someone did about a signal: acted on it (a note) or dismissed it (a reason). The key names the
    facts it fired for, so the same facts do not fire again; changed facts make a new key."""

    kind = models.CharField(_("signal"), max_length=30, choices=RuleKind.choices)
    participant = models.ForeignKey(
        Participant, verbose_name=_("deltagare"), on_delete=models.PROTECT, related_name="signal_handlings"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("enhet"), on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=100)
    # Why it fired, in words, as the person handling it read it.
    facts = models.JSONField(_("fakta"), default=list)
    outcome = models.CharField(_("utfall"), max_length=10, choices=SignalOutcome.choices)
    text = models.TextField(_("anteckning eller skäl"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("hanterad av"), on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hanterad signal")
        verbose_name_plural = _("hanterade signaler")
        ordering = ["-handled_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "participant", "unit", "key"], name="signal_handled_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.participant_id} {self.outcome}"


class QueueCount(models.Model):
    """How many people a unit's case-review queue held when it was last worked out: each time a manager
    opens the queue, and by `manage.py count_review_queues` (run nightly). People with protected identity
    are not counted: a manager sees them only by a personal grant, and then in the queue itself."""

    unit = models.OneToOneField(
        Unit, verbose_name=_("enhet"), on_delete=models.CASCADE, related_name="review_queue_count"
    )
    counted_on = models.DateField(_("räknad för dagen"))
    counted_at = models.DateTimeField(_("räknad"), default=timezone.now)
    total = models.PositiveIntegerField(_("personer i kön"))
    # rule kind -> people the rule picks among those counted (a person may have several reasons)
    by_kind = models.JSONField(_("per regel"), default=dict)
    # The day the oldest reason in the queue first held; null when the queue is empty.
    oldest_since = models.DateField(_("äldsta skäl sedan"), null=True, blank=True)
    # The rules it was counted under, resolved (`services.rules_in_force`): when today's differ, the start
    # page says the count is out of date instead of showing it as current.
    rules = models.JSONField(_("regler"), default=dict)

    class Meta:
        verbose_name = _("antal i kön för ärendedragning")
        verbose_name_plural = _("antal i köerna för ärendedragning")

    def __str__(self) -> str:
        return f"{self.unit}: {self.total} ({self.counted_at:%Y-%m-%d %H:%M})"


class UnitFigures(models.Model):
    """The figures of a unit's manager start page as last counted: open cases and what is late per
    caseworker, time to decision, follow-ups after exit not made. Counted again when the page is opened
    and they are older than `unit_figures.FRESH_FOR`, from another day, or counted under another decision
    target: counting them reads every open case of the unit, which at 100 000 people takes longer than a
    start page may. Counts and staff names only, no one the unit works with is named."""

    unit = models.OneToOneField(
        Unit, verbose_name=_("enhet"), on_delete=models.CASCADE, related_name="start_figures"
    )
    counted_on = models.DateField(_("räknad för dagen"))
    counted_at = models.DateTimeField(_("räknad"), default=timezone.now)
    # The decision target (days) the late applications and the time to decision were counted against.
    target_days = models.PositiveIntegerField(_("mål för beslut (dagar)"))
    # What `unit_figures.Figures` holds, as plain JSON (`unit_figures._to_json`, `_from_kept`).
    figures = models.JSONField(_("siffror"), default=dict)

    class Meta:
        verbose_name = _("enhetens siffror")
        verbose_name_plural = _("enheternas siffror")

    def __str__(self) -> str:
        return f"{self.unit} ({self.counted_at:%Y-%m-%d %H:%M})"
