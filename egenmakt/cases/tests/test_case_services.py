from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from egenmakt.audit.models import AuditEvent
from egenmakt.cases import services as cases
from egenmakt.cases.models import CaseType
from egenmakt.test import BaseTestCase


class CaseServicesTestCase(BaseTestCase):
    def test_it_opens_and_closes_a_case_with_audit_events(self) -> None:
        case = cases.open_case(
            actor=self.bertil, participant=self.lina, unit=self.ame, case_type=CaseType.ARBETSMARKNADSINSATS
        )
        cases.close_case(actor=self.bertil, case=case)
        actions = list(
            AuditEvent.objects.filter(target_id=str(case.pk), target_type="cases.case").values_list(
                "action", flat=True
            )
        )
        self.assertEqual(actions, ["case.opened", "case.closed"])

    def test_it_refuses_dates_that_cannot_be(self) -> None:
        tomorrow = timezone.localdate() + timedelta(days=1)
        with self.assertRaisesMessage(cases.CaseError, "i framtiden"):
            cases.open_case(
                actor=self.anna,
                participant=self.lina,
                unit=self.eb,
                case_type=CaseType.ETABLERING,
                opened_on=tomorrow,
            )
        with self.assertRaisesMessage(cases.CaseError, "före det aktualiserades"):
            cases.close_case(
                actor=self.anna, case=self.lina_case, closed_on=self.lina_case.opened_on - timedelta(days=1)
            )
        cases.close_case(actor=self.anna, case=self.lina_case)
        with self.assertRaisesMessage(cases.CaseError, "redan avslutat"):
            cases.close_case(actor=self.anna, case=self.lina_case)

    def test_it_refuses_an_unknown_case_type(self) -> None:
        with self.assertRaisesMessage(cases.CaseError, "ärendetyp"):
            cases.open_case(actor=self.anna, participant=self.lina, unit=self.eb, case_type="okänd")
