from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from egenmakt.audit.models import AuditEvent
from egenmakt.consent import grounds
from egenmakt.consent import services as consents
from egenmakt.consent.models import Consent, ConsentForm
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Organisation
from egenmakt.test import BaseTestCase


def terms(
    recipients: Iterable[Organisation],
    categories: Iterable[str] = (DataCategory.GRUNDUPPGIFTER,),
    **overrides: Any,
) -> consents.ConsentTerms:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "recipients": list(recipients),
        "categories": list(categories),
        "purpose": "Stöd att hitta arbete, tillsammans med Arbetsförmedlingen",
        "form": ConsentForm.MUNTLIGT,
        "heard_by": "Anna Andersson och tolk",
        "valid_from": today,
        "valid_to": today + timedelta(days=180),
    }
    values.update(overrides)
    return consents.ConsentTerms(**values)


class RecordConsentTestCase(BaseTestCase):
    def test_it_records_one_scope_row_per_organisation_and_category(self) -> None:
        consent = consents.record_consent(
            actor=self.anna,
            participant=self.lina,
            terms=terms(
                [self.af, self.grannkommun], [DataCategory.GRUNDUPPGIFTER, DataCategory.PLAN_OCH_INSATSER]
            ),
        )
        self.assertEqual(consent.scopes.count(), 4)
        self.assertEqual(consent.categories, ["grunduppgifter", "plan_och_insatser"])
        self.assertTrue(consent.covers(self.af.pk, DataCategory.PLAN_OCH_INSATSER))
        self.assertFalse(consent.covers(self.af.pk, DataCategory.HALSA))
        event = AuditEvent.objects.get(action="consent.recorded")
        self.assertEqual(event.detail["recipients"], sorted([self.af.pk, self.grannkommun.pk]))

    def test_it_explains_every_missing_part_at_once(self) -> None:
        with self.assertRaises(consents.ConsentError) as caught:
            consents.record_consent(
                actor=self.anna,
                participant=self.lina,
                terms=terms(
                    [],
                    [DataCategory.HALSA],
                    purpose=" ",
                    heard_by="",
                    valid_to=timezone.localdate() - timedelta(days=1),
                ),
            )
        self.assertEqual(
            set(caught.exception.errors), {"recipients", "categories", "purpose", "heard_by", "valid_to"}
        )

    def test_basic_data_must_be_part_of_any_sharing(self) -> None:
        with self.assertRaises(consents.ConsentError) as caught:
            consents.record_consent(
                actor=self.anna, participant=self.lina, terms=terms([self.af], [DataCategory.HALSA])
            )
        self.assertIn("Grunduppgifter", caught.exception.errors["categories"])

    def test_a_written_consent_needs_its_scanned_form(self) -> None:
        with self.assertRaises(consents.ConsentError) as caught:
            consents.record_consent(
                actor=self.anna, participant=self.lina, terms=terms([self.af], form=ConsentForm.SKRIFTLIGT)
            )
        self.assertIn("document", caught.exception.errors)
        bad = SimpleUploadedFile("samtycke.exe", b"MZ", content_type="application/x-msdownload")
        with self.assertRaises(consents.ConsentError) as caught:
            consents.record_consent(
                actor=self.anna,
                participant=self.lina,
                terms=terms([self.af], form=ConsentForm.SKRIFTLIGT, document=bad),
            )
        self.assertIn("PDF", caught.exception.errors["document"])

    def test_a_written_consent_keeps_its_document(self) -> None:
        with self.settings(MEDIA_ROOT=self.enterContext(_temporary_folder())):
            scan = SimpleUploadedFile("samtycke.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
            consent = consents.record_consent(
                actor=self.anna,
                participant=self.lina,
                terms=terms([self.af], form=ConsentForm.SKRIFTLIGT, document=scan),
            )
            self.assertEqual(consent.document.read(), b"%PDF-1.4 signed")
            revised = consents.revise_consent(
                actor=self.anna, consent=consent, terms=terms([self.af], form=ConsentForm.SKRIFTLIGT)
            )
            self.assertEqual(revised.document.name, consent.document.name)


class VersionsAndWithdrawalTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.consent = consents.record_consent(actor=self.anna, participant=self.lina, terms=terms([self.af]))

    def test_a_change_is_a_new_version_and_the_old_one_is_kept(self) -> None:
        revised = consents.revise_consent(
            actor=self.anna,
            consent=self.consent,
            terms=terms([self.af], [DataCategory.GRUNDUPPGIFTER, DataCategory.NARVARO]),
        )
        self.consent.refresh_from_db()
        self.assertEqual((revised.version, revised.supersedes_id), (2, self.consent.pk))
        self.assertEqual(self.consent.status, "superseded")
        self.assertEqual(self.consent.categories, ["grunduppgifter"])  # unchanged in place
        self.assertEqual(list(Consent.objects.filter(participant=self.lina).active()), [revised])
        with self.assertRaises(consents.ConsentError):
            consents.revise_consent(actor=self.anna, consent=self.consent, terms=terms([self.af]))

    def test_withdrawal_takes_effect_at_once_and_is_logged(self) -> None:
        self.assertTrue(self.consent.is_active())
        consents.withdraw_consent(actor=self.anna, consent=self.consent, note="Ringde och återkallade")
        self.consent.refresh_from_db()
        self.assertFalse(self.consent.is_active())
        self.assertFalse(Consent.objects.filter(pk=self.consent.pk).active().exists())
        self.assertEqual(
            AuditEvent.objects.filter(action="consent.withdrawn").get().detail["note"],
            "Ringde och återkallade",
        )

    def test_a_consent_is_active_only_within_its_period(self) -> None:
        today = timezone.localdate()
        later = consents.record_consent(
            actor=self.anna,
            participant=self.lina,
            terms=terms([self.af], valid_from=today + timedelta(days=5), valid_to=today + timedelta(days=30)),
        )
        self.assertEqual(later.status, "future")
        Consent.objects.filter(pk=self.consent.pk).update(
            valid_from=today - timedelta(days=30), valid_to=today - timedelta(days=1)
        )
        self.consent.refresh_from_db()
        self.assertEqual(self.consent.status, "expired")
        self.assertFalse(Consent.objects.active().exists())


class DisclosureTestCase(BaseTestCase):
    def test_it_records_a_disclosure_with_a_ground_from_the_list(self) -> None:
        ground = grounds.grounds_without_consent(timezone.localdate())[0]
        disclosure = consents.record_disclosure(
            actor=self.anna,
            participant=self.lina,
            recipient=self.af,
            categories=[DataCategory.GRUNDUPPGIFTER, DataCategory.EKONOMI],
            legal_ground=ground.code,
            note="Svar på begäran om uppgifter",
        )
        events = AuditEvent.objects.filter(action="participant.disclosed")
        self.assertEqual(
            {(e.category, e.legal_ground) for e in events},
            {("grunduppgifter", ground.code), ("ekonomi", ground.code)},
        )
        self.assertIn(ground.reference, disclosure.legal_ground_label)

    def test_consent_is_not_a_ground_for_a_hand_recorded_disclosure(self) -> None:
        with self.assertRaises(consents.ConsentError) as caught:
            consents.record_disclosure(
                actor=self.anna,
                participant=self.lina,
                recipient=self.af,
                categories=["grunduppgifter"],
                legal_ground=grounds.SAMTYCKE,
                note="x",
            )
        self.assertIn("legal_ground", caught.exception.errors)

    def test_every_ground_names_its_paragraph_source_and_date(self) -> None:
        for ground in grounds.all_grounds():
            self.assertTrue(
                ground.reference and ground.source and ground.valid_from and ground.name_en, ground.code
            )


def _temporary_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory()
