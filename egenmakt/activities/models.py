"""The activity catalogue (insatser), places in it (placeringar), anonymous places and fidelity reviews."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.cases.models import Case
from egenmakt.organisations.models import Organisation, Unit
from egenmakt.people.choices import LANGUAGE_NAMES
from egenmakt.people.models import Participant


class Method(models.TextChoices):
    MI = "mi", _("MI (motiverande samtal)")
    CM = "cm", _("CM (Case Management)")
    SE = "se", _("SE (Supported Employment)")
    IPS = "ips", _("IPS (Individual Placement and Support)")
    PRAKTIK = "praktik", _("Praktik")
    ARBETSTRANING = "arbetstraning", _("Arbetsträning")
    SFI = "sfi", _("SFI (svenska för invandrare)")
    KOMVUX = "komvux", _("Komvux")
    YRKESUTBILDNING = "yrkesutbildning", _("Yrkesutbildning")
    SOCIALT_FORETAG = "socialt_foretag", _("Socialt företag")
    FONTANHUS = "fontanhus", _("Fontänhus")
    UNGDOMSSTODJARE = "ungdomsstodjare", _("Ungdomsstödjare")
    ANNAN = "annan", _("Annan metod")


class TargetGroup(models.TextChoices):
    UNGA = "unga", _("Unga som varken arbetar eller studerar")
    UTRIKES_FODDA_KVINNOR = "utrikes_fodda_kvinnor", _("Utrikes födda kvinnor")
    NYANLANDA = "nyanlanda", _("Nyanlända")
    FUNKTIONSNEDSATTNING = "funktionsnedsattning", _("Personer med funktionsnedsättning")
    LANGVARIGT_BISTAND = "langvarigt_bistand", _("Långvarigt ekonomiskt bistånd")
    PSYKISK_OHALSA = "psykisk_ohalsa", _("Psykisk ohälsa")
    ALLA = "alla", _("Alla deltagare")


class Weekday(models.IntegerChoices):
    MANDAG = 0, _("måndag")
    TISDAG = 1, _("tisdag")
    ONSDAG = 2, _("onsdag")
    TORSDAG = 3, _("torsdag")
    FREDAG = 4, _("fredag")
    LORDAG = 5, _("lördag")
    SONDAG = 6, _("söndag")


class Activity(models.Model):
    """An activity in the catalogue: what is offered, by whom, for whom, when, and at what cost."""

    # A short code providers use in attendance files (e.g. "SFI-A1"); unique across the catalogue.
    code = models.CharField(_("kod"), max_length=30, unique=True)
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    provider = models.ForeignKey(
        Organisation, verbose_name=_("utförare"), on_delete=models.PROTECT, related_name="activities"
    )
    # The unit whose coaches run the activity and register attendance.
    unit = models.ForeignKey(
        Unit, verbose_name=_("ansvarig enhet"), on_delete=models.PROTECT, related_name="activities"
    )
    method = models.CharField(_("metod"), max_length=20, choices=Method.choices)
    method_other = models.CharField(_("annan metod, vilken"), max_length=100, blank=True)
    ksi_code = models.CharField(
        _("KSI-kod"), max_length=20, blank=True, help_text=_("Valfri. Till exempel SIB RC ZZ.")
    )
    target_groups = models.JSONField(_("målgrupper"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("antal platser"), validators=[MinValueValidator(1)])
    weekdays = models.JSONField(_("veckodagar"), default=list, blank=True)
    starts_at = models.TimeField(_("börjar klockan"), null=True, blank=True)
    ends_at = models.TimeField(_("slutar klockan"), null=True, blank=True)
    # Planned hours on each scheduled day; the attendance screen starts from this.
    hours_per_day = models.DecimalField(
        _("timmar per dag"), max_digits=4, decimal_places=2, validators=[MinValueValidator(0)]
    )
    languages = models.JSONField(_("språk"), default=list, blank=True)
    # Whole kronor per place and month.
    cost_per_place = models.PositiveIntegerField(_("kostnad per plats och månad (kr)"), default=0)
    # Funded by the samordningsförbund: the cost is split between state, region and municipality
    # by the shares in finsam.toml.
    finsam_funded = models.BooleanField(_("finansieras av samordningsförbundet (Finsam)"), default=False)
    funders = models.ManyToManyField(
        Organisation, verbose_name=_("finansiärer"), blank=True, related_name="funded_activities"
    )
    active = models.BooleanField(_("pågår"), default=True)
    synthetic = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("insats")
        verbose_name_plural = _("insatser")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="annan") | ~Q(method_other=""), name="activity_other_method_named"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def method_label(self) -> str:
        return self.method_other if self.method == Method.ANNAN else str(self.get_method_display())

    @property
    def language_names(self) -> list[str]:
        return [str(LANGUAGE_NAMES.get(code, code)) for code in self.languages]

    def is_scheduled_on(self, day: date) -> bool:
        return not self.weekdays or day.weekday() in self.weekdays


class EnrolmentStatus(models.TextChoices):
    VANTAR = "vantar", _("I kö")
    AKTIV = "aktiv", _("Placerad")
    AVSLUTAD = "avslutad", _("Avslutad")


class EndReason(models.TextChoices):
    FULLFOLJD = "fullfoljd", _("Fullföljd enligt plan")
    ARBETE = "arbete", _("Fått arbete")
    STUDIER = "studier", _("Börjat studera")
    ANNAN_INSATS = "annan_insats", _("Gått vidare till en annan insats")
    AVBRUTEN = "avbruten", _("Avbruten av deltagaren")
    SJUKDOM = "sjukdom", _("Sjukdom")
    FLYTTAT = "flyttat", _("Flyttat")
    LAMNAT_KON = "lamnat_kon", _("Lämnade kön")
    ANNAT = "annat", _("Annat skäl")
    FELREGISTRERING = "felregistrering", _("Felregistrering")


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def occupying(self) -> EnrolmentQuerySet:
        """Enrolments that take a place now."""
        return self.filter(status=EnrolmentStatus.AKTIV)

    def placed_on(self, day: date) -> EnrolmentQuerySet:
        """Enrolments that gave a place on the day (ended ones included): who attendance is registered for."""
        return (
            self.filter(start__lte=day)
            .filter(Q(actual_end__isnull=True) | Q(actual_end__gte=day))
            .exclude(status=EnrolmentStatus.VANTAR)
        )

    def waiting(self) -> EnrolmentQuerySet:
        """The waiting list in its fair order: first come, first served."""
        return self.filter(status=EnrolmentStatus.VANTAR).order_by("queued_at", "pk")


class Enrolment(models.Model):
    """A participant's place in an activity (placering), or their place in its queue."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("deltagare"), on_delete=models.PROTECT, related_name="enrolments"
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("insats"), on_delete=models.PROTECT, related_name="enrolments"
    )
    # The case the placement belongs to; it is the case's unit that follows it up.
    case = models.ForeignKey(
        Case, verbose_name=_("ärende"), on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(_("status"), max_length=10, choices=EnrolmentStatus.choices)
    queued_at = models.DateTimeField(_("anmäld"), default=timezone.now)
    start = models.DateField(_("startdatum"), null=True, blank=True)
    planned_end = models.DateField(_("planerat slut"), null=True, blank=True)
    actual_end = models.DateField(_("faktiskt slut"), null=True, blank=True)
    end_reason = models.CharField(_("avslutsorsak"), max_length=20, choices=EndReason.choices, blank=True)
    # Placing someone ahead of the queue or beyond the capacity needs a stated reason.
    override_reason = models.TextField(_("skäl för undantag"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registrerad av"), on_delete=models.PROTECT, related_name="+"
    )
    synthetic = models.BooleanField(default=False)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("placering")
        verbose_name_plural = _("placeringar")
        ordering = ["-queued_at"]
        indexes = [
            models.Index(fields=["activity", "status", "queued_at"]),
            # Placements ending soon (the coach's start page), soonest first: read in the index's order
            # until the page has its 100, not every running placement sorted.
            models.Index(
                fields=["planned_end", "id"],
                name="enrolment_running_by_end",
                condition=Q(status="aktiv", actual_end__isnull=True),
            ),
        ]
        constraints = [
            # One open place (or queue place) per person and activity.
            models.UniqueConstraint(
                fields=["participant", "activity"],
                condition=Q(status__in=["vantar", "aktiv"]),
                name="enrolment_one_open_per_activity",
            ),
            models.CheckConstraint(
                condition=Q(status="vantar") | Q(start__isnull=False), name="enrolment_placed_has_start"
            ),
            models.CheckConstraint(
                condition=~Q(status="avslutad") | ~Q(end_reason=""), name="enrolment_ended_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(start__isnull=True)
                | Q(actual_end__gte=models.F("start")),
                name="enrolment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} – {self.activity}"

    def covers(self, day: date) -> bool:
        """Whether the person had the place on this day (attendance may only be recorded then)."""
        if self.start is None or day < self.start:
            return False
        return self.actual_end is None or day <= self.actual_end


class AgeBand(models.TextChoices):
    U20 = "16-19", "16–19"
    U25 = "20-24", "20–24"
    U30 = "25-29", "25–29"
    U40 = "30-39", "30–39"
    U50 = "40-49", "40–49"
    U65 = "50-64", "50–64"
    O65 = "65-", _("65 eller äldre")


class Livelihood(models.TextChoices):
    """Main source of income before and after an activity, as SUS records it (försörjningskälla)."""

    EKONOMISKT_BISTAND = "ekonomiskt_bistand", _("Ekonomiskt bistånd")
    AKTIVITETSSTOD = "aktivitetsstod", _("Aktivitetsstöd eller etableringsersättning")
    SJUKERSATTNING = "sjukersattning", _("Sjukpenning, sjuk- eller aktivitetsersättning")
    LON = "lon", _("Lön")
    STUDIEMEDEL = "studiemedel", _("Studiemedel")
    ANNAN = "annan", _("Annan försörjning")
    OKAND = "okand", _("Okänd")


class AnonymousPlace(models.Model):
    """A place taken by someone who gave no consent to registration: counted, never identified.

    As in SUS, such a participant is followed up in numbers only. No name, identity number, birth
    date or free text is stored, only broad bands that cannot single a person out.
    """

    activity = models.ForeignKey(
        Activity, verbose_name=_("insats"), on_delete=models.PROTECT, related_name="anonymous_places"
    )
    start = models.DateField(_("startdatum"))
    actual_end = models.DateField(_("faktiskt slut"), null=True, blank=True)
    end_reason = models.CharField(_("avslutsorsak"), max_length=20, choices=EndReason.choices, blank=True)
    age_band = models.CharField(_("åldersgrupp"), max_length=5, choices=AgeBand.choices, blank=True)
    legal_sex = models.CharField(
        _("kön"), max_length=1, choices=[("K", _("Kvinna")), ("M", _("Man"))], blank=True
    )
    livelihood_before = models.CharField(
        _("försörjning före"), max_length=20, choices=Livelihood.choices, default=Livelihood.OKAND
    )
    livelihood_after = models.CharField(
        _("försörjning efter"), max_length=20, choices=Livelihood.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registrerad av"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("anonym plats")
        verbose_name_plural = _("anonyma platser")
        ordering = ["-start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True) | Q(actual_end__gte=models.F("start")),
                name="anonymous_place_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True) | ~Q(end_reason=""),
                name="anonymous_place_ended_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} – anonym plats från {self.start:%Y-%m-%d}"


class FidelityReview(models.Model):
    """A dated fidelity review (IPS-25): 25 items scored 1–5. Reviews are kept; a new one adds a row."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("insats"), on_delete=models.PROTECT, related_name="fidelity_reviews"
    )
    scale = models.CharField(_("skala"), max_length=20, default="ips25")
    reviewed_on = models.DateField(_("granskad"))
    reviewers = models.CharField(_("granskare"), max_length=300)
    scores = models.JSONField(_("poäng per punkt"))
    total = models.PositiveSmallIntegerField(
        _("summa"), validators=[MinValueValidator(25), MaxValueValidator(125)]
    )
    comment = models.TextField(_("kommentar"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registrerad av"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("trohetsgranskning")
        verbose_name_plural = _("trohetsgranskningar")
        ordering = ["-reviewed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=25) & Q(total__lte=125), name="fidelity_total_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} – {self.scale} {self.reviewed_on:%Y-%m-%d}: {self.total}"
