"""Economic assistance: applications, calculations, decisions with due process, reductions after
kommunicering, and the monthly payment run."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.attendance.models import AbsenceTask
from egenmakt.cases.models import Case
from egenmakt.organisations.models import Organisation
from egenmakt.people.models import Household, Participant

USER = settings.AUTH_USER_MODEL


class CapKind(models.TextChoices):
    BOENDE = "boende", _("Boende")
    HUSHALLSEL = "hushallsel", _("Hushållsel")
    ARBETSRESOR = "arbetsresor", _("Arbetsresor")
    HEMFORSAKRING = "hemforsakring", _("Hemförsäkring")
    FACK_AKASSA = "fack_akassa", _("Fackavgift och a-kassa")


class LocalCap(models.Model):
    """The municipality's highest accepted cost (e.g. rent) for a household with a number of children."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cost_caps")
    kind = models.CharField(_("kostnad"), max_length=20, choices=CapKind.choices)
    children = models.PositiveSmallIntegerField(
        _("antal barn"),
        null=True,
        blank=True,
        help_text=_("Tomt: alla hushåll. Det högsta talet gäller också fler barn."),
    )
    amount = models.PositiveIntegerField(_("högsta belopp (kr/månad)"))
    valid_from = models.DateField(_("gäller från"))
    source = models.CharField(_("beslut eller källa"), max_length=300, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kostnadstak")
        verbose_name_plural = _("kostnadstak")
        ordering = ["kind", "children", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "children", "valid_from"], name="local_cap_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.children} – {self.amount}"


class LocalRules(models.Model):
    """The municipality's own choices within the law, and what its payment file needs."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="benefit_rules")
    wage_disregard_percent = models.PositiveSmallIntegerField(
        _("del av nettolön som inte räknas (%)"), default=0, help_text=_("0 = av (standard).")
    )
    wage_disregard_after_months = models.PositiveSmallIntegerField(
        _("efter antal månader med bistånd"), default=6
    )
    wage_disregard_max = models.PositiveIntegerField(_("högst (kr/månad)"), null=True, blank=True)
    decision_target_days = models.PositiveSmallIntegerField(_("mål för tid till beslut (dagar)"), default=10)
    payer_name = models.CharField(_("betalare"), max_length=70, blank=True)
    payer_iban = models.CharField(_("betalarens IBAN"), max_length=34, blank=True)
    payer_bic = models.CharField(_("betalarens BIC"), max_length=11, blank=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kommunens regler för bistånd")
        verbose_name_plural = _("kommunens regler för bistånd")

    def __str__(self) -> str:
        return str(self.organisation)


class PayoutAccount(models.Model):
    """Where a household's assistance is paid. Without one, the payment goes out as a paper avi."""

    household = models.OneToOneField(Household, on_delete=models.PROTECT, related_name="payout_account")
    holder = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    registered_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("utbetalningskonto")
        verbose_name_plural = _("utbetalningskonton")

    def __str__(self) -> str:
        return f"{self.household_id}: ****{self.iban[-4:]}"


class ApplicationStatus(models.TextChoices):
    INKOMMEN = "inkommen", _("Inkommen")
    BESLUTAD = "beslutad", _("Beslutad")
    ATERTAGEN = "atertagen", _("Återtagen")


class Application(models.Model):
    """An application (ansökan) for one household and one month, in the calculation's input format."""

    case = models.ForeignKey(
        Case, verbose_name=_("ärende"), on_delete=models.PROTECT, related_name="applications"
    )
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="applications")
    month = models.DateField(_("månad"))
    received_on = models.DateField(_("inkom"), default=timezone.localdate)
    input = models.JSONField(_("uppgifter"))
    status = models.CharField(
        _("status"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.INKOMMEN
    )
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ansökan")
        verbose_name_plural = _("ansökningar")
        ordering = ["-month", "-received_on"]
        indexes = [
            models.Index(fields=["household", "month"]),
            # With the case: the manager's start page counts a unit's waiting applications from this index
            # alone, not from the table (wide with the application's input: some 7 800 pages at 100 000
            # participants).
            models.Index(fields=["status", "received_on", "case"], name="application_status_received"),
        ]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="application_month_first_day")]

    def __str__(self) -> str:
        return f"{self.applicant} {self.month:%Y-%m}"


class Calculation(models.Model):
    """One calculation, kept as it was: the full input (with caps and reductions) and the explained result."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="calculations")
    input = models.JSONField()
    result = models.JSONField()
    norm_year = models.PositiveSmallIntegerField()
    norm_official = models.BooleanField()
    entitlement = models.IntegerField(_("försörjningsstöd"))
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("beräkning")
        verbose_name_plural = _("beräkningar")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.application} = {self.entitlement}"


class DecisionKind(models.TextChoices):
    BISTAND = "bistand", _("Ekonomiskt bistånd")
    NEDSATTNING = "nedsattning", _("Nedsättning av försörjningsstöd")


class Outcome(models.TextChoices):
    BIFALL = "bifall", _("Bifall")
    DELVIS_BIFALL = "delvis_bifall", _("Delvis bifall")
    AVSLAG = "avslag", _("Avslag")
    NEDSATTNING = "nedsattning", _("Nedsättning")


class Decision(models.Model):
    """A decision (beslut). Every refused or partly refused item in it is appealable on its own."""

    kind = models.CharField(_("typ"), max_length=12, choices=DecisionKind.choices)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="benefit_decisions")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="decisions")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="benefit_decisions")
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="decision"
    )
    calculation = models.ForeignKey(
        Calculation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reduction = models.OneToOneField(
        "Reduction", null=True, blank=True, on_delete=models.PROTECT, related_name="decision"
    )
    month = models.DateField(_("månad"))
    period_start = models.DateField(_("period från"))
    period_end = models.DateField(_("period till och med"))
    law_version = models.CharField(_("lagversion"), max_length=12)
    # For a bistånd decision: what is paid. For a nedsättning: the amount the next calculation deducts.
    amount = models.IntegerField(_("belopp"))
    reasons = models.TextField(_("motivering"), blank=True)
    norm_year = models.PositiveSmallIntegerField(null=True, blank=True)
    norm_official = models.BooleanField(default=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    # When the application decided on came in, kept on the decision: the time to decision (handläggningstid)
    # is then read from decisions alone, without a lookup per application on the manager's start page.
    application_received_on = models.DateField(_("ansökan inkom"), null=True, blank=True)
    notified_on = models.DateField(_("delgivet"), null=True, blank=True)
    payment_run = models.ForeignKey(
        "PaymentRun", null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )

    class Meta:
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")
        ordering = ["-decided_at", "-pk"]
        indexes = [
            models.Index(fields=["household", "month", "kind"]),
            models.Index(fields=["month", "kind", "payment_run"]),
            # Time to decision: the decisions on an application in a period (most others are history). The
            # kind is in the condition so that the count reads the index alone (an index-only scan).
            models.Index(
                fields=["decided_at", "case", "application_received_on"],
                name="decision_time_to_decision",
                condition=Q(application_received_on__isnull=False, kind="bistand"),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="decision_month_first_day"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="decision_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:%Y-%m} ({self.pk})"

    @property
    def appeal_deadline(self) -> date | None:
        """Three weeks from notification (FL 44 §); the weeks come from rules/legal.toml."""
        from egenmakt.benefits.legal import procedure

        if self.notified_on is None:
            return None
        return self.notified_on + timedelta(weeks=procedure().appeal_weeks)


class DecisionItem(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=60)
    label = models.CharField(_("post"), max_length=200)
    applied = models.IntegerField(_("ansökt"))
    granted = models.IntegerField(_("beviljat"))
    outcome = models.CharField(_("utfall"), max_length=14, choices=Outcome.choices)
    legal_basis = models.CharField(_("lagrum"), max_length=200)
    legal_verified = models.BooleanField(default=True)
    reasons = models.TextField(_("motivering"), blank=True)

    class Meta:
        verbose_name = _("beslutspost")
        verbose_name_plural = _("beslutsposter")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["decision", "key"], name="decision_item_once")]

    def __str__(self) -> str:
        return f"{self.label}: {self.get_outcome_display()}"

    @property
    def appealable(self) -> bool:
        return self.outcome != Outcome.BIFALL


class AppealStatus(models.TextChoices):
    MOTTAGET = "mottaget", _("Mottaget")
    OVERLAMNAT = "overlamnat", _("Överlämnat till förvaltningsrätten")
    ANDRAT = "andrat", _("Nämnden har ändrat beslutet")
    AVVISAT = "avvisat", _("Avvisat (för sent)")


class Appeal(models.Model):
    """An appeal (överklagande), lodged with the nämnd and tracked until it is forwarded or settled."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    item = models.ForeignKey(
        DecisionItem, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    received_on = models.DateField(_("inkom"))
    in_time = models.BooleanField(_("i rätt tid"))
    text = models.TextField(_("vad den enskilde anför"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.MOTTAGET
    )
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)
    settled_on = models.DateField(_("avgjort/överlämnat"), null=True, blank=True)
    settled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    settled_note = models.TextField(_("anteckning"), blank=True)

    class Meta:
        verbose_name = _("överklagande")
        verbose_name_plural = _("överklaganden")
        ordering = ["-received_on"]

    def __str__(self) -> str:
        return f"{self.decision} – {self.get_status_display()}"


class ReductionBasis(models.TextChoices):
    DAGAR = "dagar", _("Dagar (normens vuxendel per dag)")
    BELOPP = "belopp", _("Belopp")
    POSTER = "poster", _("Poster i beräkningen")


class ReductionStatus(models.TextChoices):
    FORSLAG = "forslag", _("Förslag")
    KOMMUNICERAD = "kommunicerad", _("Kommunicerad")
    BESLUTAD = "beslutad", _("Beslutad")
    AVSKRIVEN = "avskriven", _("Avskriven")


class Channel(models.TextChoices):
    BREV = "brev", _("Brev")
    DIGITAL_BREVLADA = "digital_brevlada", _("Digital brevlåda")
    PERSONLIGEN = "personligen", _("Lämnat personligen")
    TOLK = "tolk", _("Muntligt med tolk, och brev")


class Reduction(models.Model):
    """A proposed reduction (nedsättning) after unexcused absence, through kommunicering to a decision.

    Nothing here deducts anything. Only a decided reduction reaches a calculation.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reductions")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="reductions")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="reductions")
    tasks = models.ManyToManyField(AbsenceTask, related_name="reductions", blank=True)
    month = models.DateField(_("gäller månad"))
    basis = models.CharField(_("grund"), max_length=8, choices=ReductionBasis.choices)
    days = models.PositiveSmallIntegerField(_("dagar"), null=True, blank=True)
    amount_asked = models.PositiveIntegerField(_("belopp"), null=True, blank=True)
    items = models.JSONField(_("poster"), default=list, blank=True)
    include_children = models.BooleanField(_("räkna med barnens del"), default=False)
    children_reason = models.TextField(_("skäl att röra barnens del"), blank=True)
    proposed_amount = models.PositiveIntegerField(_("föreslagen nedsättning"))
    reasons = models.TextField(_("skäl"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReductionStatus.choices, default=ReductionStatus.FORSLAG
    )
    proposed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    communicated_on = models.DateField(_("kommunicerad"), null=True, blank=True)
    communicated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("hur"), max_length=20, choices=Channel.choices, blank=True)
    reply_deadline = models.DateField(_("svara senast"), null=True, blank=True)
    reply_received_on = models.DateField(_("svar inkom"), null=True, blank=True)
    reply_text = models.TextField(_("svaret"), blank=True)
    no_reply_recorded_on = models.DateField(_("inget svar noterat"), null=True, blank=True)
    closed_reason = models.TextField(_("skäl att avskriva"), blank=True)

    class Meta:
        verbose_name = _("nedsättning")
        verbose_name_plural = _("nedsättningar")
        ordering = ["-proposed_at"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="reduction_month_first_day")]

    def __str__(self) -> str:
        return f"{self.participant} {self.month:%Y-%m}: {self.proposed_amount}"

    @property
    def reply_settled(self) -> bool:
        """Kommunicering is done: a reply came, or the deadline passed and no reply was noted."""
        return self.reply_received_on is not None or self.no_reply_recorded_on is not None


class RunStatus(models.TextChoices):
    FORBEREDD = "forberedd", _("Förberedd")
    GODKAND = "godkand", _("Godkänd")
    PAGAR = "pagar", _("Pågår")
    KLAR = "klar", _("Klar")


class PaymentRun(models.Model):
    """A month's payment run. One person prepares it, another approves it (maker-checker)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="payment_runs")
    month = models.DateField(_("månad"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.FORBEREDD
    )
    prepared_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    execution_date = models.DateField(_("utbetalningsdag"))
    households = models.PositiveIntegerField(_("hushåll"), default=0)
    total = models.BigIntegerField(_("summa (kr)"), default=0)
    paid_households = models.PositiveIntegerField(default=0)
    paid_total = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("utbetalningskörning")
        verbose_name_plural = _("utbetalningskörningar")
        ordering = ["-month", "-prepared_at"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="payment_run_month_first_day")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} ({self.get_status_display()})"


class Payment(models.Model):
    """One payment. Unique per household, month and decision, so no run can pay a decision twice."""

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="payments")
    # No index of its own: payment_once_per_decision begins with the household.
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+", db_index=False)
    month = models.DateField()
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="payments")
    amount = models.PositiveIntegerField()
    payee = models.CharField(max_length=140)
    iban = models.CharField(max_length=34, blank=True)
    bic = models.CharField(max_length=11, blank=True)
    # The bank's reference, unique (Meta): declared there rather than with unique=True, PostgreSQL gets
    # no second index for pattern matching (LIKE), which nothing does and every payment would maintain.
    end_to_end_id = models.CharField(max_length=35)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("utbetalning")
        verbose_name_plural = _("utbetalningar")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "month", "decision"], name="payment_once_per_decision"
            ),
            models.UniqueConstraint(fields=["end_to_end_id"], name="payment_end_to_end_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.month:%Y-%m}: {self.amount}"
