"""Referrals (remisser) between units and organisations, and the team around a participant."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.consent.models import Consent
from egenmakt.organisations.models import Organisation, Unit
from egenmakt.people.models import Participant


class ReferralStatus(models.TextChoices):
    SKICKAD = "skickad", _("Skickad")
    MOTTAGEN = "mottagen", _("Mottagen")
    ACCEPTERAD = "accepterad", _("Accepterad")
    AVBOJD = "avbojd", _("Avböjd")
    AVSLUTAD = "avslutad", _("Avslutad")
    ATERKALLAD = "aterkallad", _("Återkallad")


# Statuses that wait for the recipient's answer; a referral in one of them can become overdue.
AWAITING_ANSWER = (ReferralStatus.SKICKAD, ReferralStatus.MOTTAGEN)
# Which status may follow which. Anything else is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.SKICKAD: frozenset(
        {ReferralStatus.MOTTAGEN, ReferralStatus.ACCEPTERAD, ReferralStatus.AVBOJD, ReferralStatus.ATERKALLAD}
    ),
    ReferralStatus.MOTTAGEN: frozenset(
        {ReferralStatus.ACCEPTERAD, ReferralStatus.AVBOJD, ReferralStatus.ATERKALLAD}
    ),
    ReferralStatus.ACCEPTERAD: frozenset({ReferralStatus.AVSLUTAD, ReferralStatus.ATERKALLAD}),
    ReferralStatus.AVBOJD: frozenset(),
    ReferralStatus.AVSLUTAD: frozenset(),
    ReferralStatus.ATERKALLAD: frozenset(),
}


class ReferralQuerySet(models.QuerySet["Referral"]):
    def overdue(self, now: datetime | None = None) -> ReferralQuerySet:
        return self.filter(status__in=AWAITING_ANSWER, answer_due__lt=now or timezone.now())


class Referral(models.Model):
    participant = models.ForeignKey(
        Participant, verbose_name=_("deltagare"), on_delete=models.PROTECT, related_name="referrals"
    )
    from_unit = models.ForeignKey(
        Unit, verbose_name=_("från enhet"), on_delete=models.PROTECT, related_name="referrals_sent"
    )
    to_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("till organisation"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    to_unit = models.ForeignKey(
        Unit, verbose_name=_("till enhet"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The consent that lets the recipient see the person; a referral is refused without one.
    consent = models.ForeignKey(
        Consent, verbose_name=_("samtycke"), on_delete=models.PROTECT, related_name="referrals"
    )
    question = models.TextField(_("vad gäller remissen"))
    contact = models.CharField(_("kontaktperson hos avsändaren"), max_length=200)
    # An e-mail address for a recipient without an account (the answer link goes there).
    recipient_email = models.EmailField(_("mottagarens e-post"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SKICKAD
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("skickad av"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("skickad"), default=timezone.now)
    answer_due = models.DateTimeField(_("svar senast"))
    decline_reason = models.TextField(_("skäl till avböjande"), blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("remiss")
        verbose_name_plural = _("remisser")
        ordering = ["-sent_at"]
        indexes = [
            models.Index(fields=["status", "answer_due"]),
            models.Index(fields=["to_organisation", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.participant} → {self.to_organisation} ({self.get_status_display()})"

    @property
    def is_overdue(self) -> bool:
        return self.status in AWAITING_ANSWER and self.answer_due < timezone.now()

    def steps_with_time(self, now: datetime | None = None) -> list[tuple[ReferralStep, timedelta]]:
        """Each status change and how long the referral stayed in that status (the last until now)."""
        now = now or timezone.now()
        steps = list(self.steps.select_related("by").order_by("at", "pk"))
        return [
            (step, (steps[index + 1].at if index + 1 < len(steps) else now) - step.at)
            for index, step in enumerate(steps)
        ]


class ReferralStep(models.Model):
    """The referral's status history: every change, when, and by whom (a user or the answer link)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(max_length=12, choices=ReferralStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who answered through the link (a recipient without an account writes their name).
    by_name = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("remisshändelse")
        verbose_name_plural = _("remisshändelser")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.status} {self.at:%Y-%m-%d %H:%M}"


class ReferralLink(models.Model):
    """A signed answer link for a recipient without an account: single use, 14 days at most.

    Only a hash of the link's secret is stored, so a database leak gives no working links.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="links")
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("svarslänk")
        verbose_name_plural = _("svarslänkar")

    def __str__(self) -> str:
        return f"{self.referral_id} ({self.expires_at:%Y-%m-%d})"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class TeamMember(models.Model):
    """An organisation (and, when known, a person) around a participant, with a role. One is the lead
    (huvudansvarig). Being in the team gives no access of its own: what members see is still what
    consent allows."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="team")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact_name = models.CharField(_("namn"), max_length=200, blank=True)
    role = models.CharField(_("roll i teamet"), max_length=200)
    is_lead = models.BooleanField(_("huvudansvarig"), default=False)
    added_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("teammedlem")
        verbose_name_plural = _("teammedlemmar")
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(is_lead=True, ended_at__isnull=True),
                name="one_lead_per_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.role}"

    @property
    def name(self) -> str:
        return str(self.user) if self.user_id else self.contact_name


class SipPlan(models.Model):
    """Samordnad individuell plan (SoL 2 kap. 7 §, HSL 16 kap. 4 §): one plan, several owners.

    It records the meeting, what each party will do, which party has the overall responsibility, the
    next follow-up and each party's sign-off. Made with the person's consent; the person and, unless the
    person objects, närstående may take part.
    """

    participant = models.ForeignKey(
        Participant, verbose_name=_("deltagare"), on_delete=models.PROTECT, related_name="sip_plans"
    )
    meeting_date = models.DateField(_("mötesdatum"))
    meeting_place = models.CharField(_("plats"), max_length=200, blank=True)
    participant_present = models.BooleanField(_("personen deltog"), default=True)
    relatives_present = models.BooleanField(_("närstående deltog"), default=False)
    attendees = models.TextField(_("vilka deltog"), help_text=_("Namn och organisation, en per rad."))
    own_words = models.TextField(_("personens egna mål och önskemål"), blank=True)
    overall_responsible = models.ForeignKey(
        Organisation,
        verbose_name=_("huvudman med övergripande ansvar"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    next_follow_up = models.DateField(_("nästa uppföljning"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("samordnad individuell plan (SIP)")
        verbose_name_plural = _("samordnade individuella planer (SIP)")
        ordering = ["-meeting_date", "-pk"]

    def __str__(self) -> str:
        return f"SIP {self.participant} {self.meeting_date:%Y-%m-%d}"

    @property
    def is_signed_by_all(self) -> bool:
        return not self.parties.filter(signed_at__isnull=True).exists()


class SipParty(models.Model):
    """An organisation that owns the plan together with the others, and its sign-off."""

    plan = models.ForeignKey(SipPlan, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signerad"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who signed for the party when it was done on paper at the meeting and recorded by someone else.
    signed_by_name = models.CharField(_("signerad av"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("part i SIP")
        verbose_name_plural = _("parter i SIP")
        constraints = [models.UniqueConstraint(fields=["plan", "organisation"], name="sip_party_once")]
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.organisation}"

    @property
    def signer(self) -> str:
        return str(self.signed_by) if self.signed_by_id else self.signed_by_name


class SipAction(models.Model):
    """What one party will do."""

    plan = models.ForeignKey(SipPlan, on_delete=models.CASCADE, related_name="actions")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("vem gör det"), on_delete=models.PROTECT, related_name="+"
    )
    what = models.TextField(_("vad"))
    responsible_person = models.CharField(_("ansvarig person"), max_length=200, blank=True)
    due = models.DateField(_("klart senast"), null=True, blank=True)

    class Meta:
        verbose_name = _("insats i SIP")
        verbose_name_plural = _("insatser i SIP")
        ordering = ["organisation__name", "pk"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.what[:40]}"
