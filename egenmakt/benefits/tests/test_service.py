"""The calculation as a public service (CLI and API), its published JSON Schemas, and what-if."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from egenmakt.audit.models import AuditEvent
from egenmakt.benefits import calculation, services, whatif
from egenmakt.benefits.services import BenefitError
from egenmakt.benefits.tests import factories
from egenmakt.benefits.tests.factories import MONTH
from egenmakt.cases.models import Case
from egenmakt.people.models import Household
from egenmakt.test import BaseTestCase

DOCS = Path(__file__).resolve().parents[3] / "docs"
EXAMPLE = DOCS / "examples" / "household.json"


@pytest.mark.parametrize("which", ["input", "output"])
def test_the_published_schemas_are_the_ones_the_code_uses(which: str) -> None:
    published = json.loads((DOCS / f"calculate-{which}.schema.json").read_text(encoding="utf-8"))
    assert published == calculation.json_schema(which)  # type: ignore[arg-type]


def test_the_example_validates_against_the_published_input_schema() -> None:

    schema = json.loads((DOCS / "calculate-input.schema.json").read_text(encoding="utf-8"))
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"month", "members"}
    calculation.parse(json.loads(EXAMPLE.read_text(encoding="utf-8")))


def test_the_command_prints_the_entitlement_and_the_lines() -> None:
    out = StringIO()
    call_command("calculate", str(EXAMPLE), stdout=out)
    result = json.loads(out.getvalue())
    # 3 490 + 3 380 + 2 700 × 16/31 (1 394) + 1 580 + 6 900 (capped) + 350 + 1 200 − 2 500 − 1 673
    assert result["entitlement"] == 3490 + 3380 + 1394 + 1580 + 6900 + 350 + 1200 - 2500 - 1673
    assert sum(line["amount"] for line in result["lines"]) == result["entitlement"]
    assert result["summary"].startswith("Därför får du")


def test_the_command_names_the_bad_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"month": "2023-03", "members": [{"id": "a", "role": "sokande"}]}))
    with pytest.raises(CommandError, match=r"members\.0\.birth_date"):
        call_command("calculate", str(bad))
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON: line 1"):
        call_command("calculate", str(bad))


class CalculateApiTestCase(BaseTestCase):
    def post(self, body: str) -> tuple[int, dict[str, Any]]:
        response = self.client.post("/api/v1/calculate", body, content_type="application/json")
        return response.status_code, response.json()

    def test_anyone_may_calculate_and_nothing_is_stored_or_logged(self) -> None:
        before = AuditEvent.objects.count()
        status, body = self.post(EXAMPLE.read_text(encoding="utf-8"))
        self.assertEqual(status, 200)
        self.assertEqual(body["entitlement"], 14121)
        self.assertEqual(body["norm_year"], 2023)
        self.assertEqual(AuditEvent.objects.count(), before)

    def test_bad_input_is_a_400_naming_the_field(self) -> None:
        status, body = self.post(json.dumps({"month": "2023-03", "members": [], "costs": [{"kind": "x"}]}))
        self.assertEqual(status, 400)
        fields = {e["field"] for e in body["errors"]}
        self.assertIn("members", fields)
        self.assertIn("costs.0.kind", fields)
        status, body = self.post("{oops")
        self.assertEqual((status, body["errors"][0]["field"]), (400, "(body)"))
        status, body = self.post(
            json.dumps(
                {"month": "2011-01", "members": [{"id": "a", "role": "sokande", "birth_date": "1980-01-01"}]}
            )
        )
        self.assertEqual((status, body["errors"][0]["field"]), (400, "month"))


class WhatIfTestCase(BaseTestCase):
    def setUp(self) -> None:
        factories.since_long_ago(self.personas)
        # Six households calculated for March 2023 (Lina's and five more of the same shape).
        for _ in range(5):
            household = Household.objects.create()
            case = Case.objects.create(
                participant=self.lina,
                unit=self.eb,
                case_type="ekonomiskt_bistand",
                household=household,
                responsible=self.anna,
            )
            from egenmakt.people.models import HouseholdMember

            HouseholdMember.objects.create(
                household=household, participant=self.lina, relation="sokande", valid_from=date(2000, 1, 1)
            )
            self._calculated(case, incomes=[])
        self._calculated(self.lina_case, incomes=[{"kind": "lon_netto", "amount": 30000}])

    def _calculated(self, case: Case, incomes: list[dict[str, object]]) -> None:
        application = services.register_application(
            actor=self.anna,
            case=case,
            month=MONTH,
            costs=[{"kind": "boende", "amount": 4000}],
            incomes=incomes,
        )
        services.calculate_application(actor=self.anna, application=application)

    def test_a_two_percent_raise_across_the_caseload_changes_no_decision(self) -> None:
        result = whatif.simulate(
            actor=self.cecilia, organisation=self.kommun, month=MONTH, percent=Decimal(2)
        )
        self.assertEqual(result.households, 6)
        # Five households get 3 490 + 1 130 + 4 000 = 8 620 now; +2 %: 3 560 + 1 150 + 4 000 = 8 710.
        self.assertEqual(result.current_total, 5 * 8620)
        self.assertEqual(result.new_total, 5 * 8710)
        self.assertEqual((result.raised, result.lowered, result.difference), (5, 0, 5 * 90))
        self.assertTrue(AuditEvent.objects.filter(action="benefits.whatif").exists())

    def test_another_years_table(self) -> None:
        result = whatif.simulate(actor=self.cecilia, organisation=self.kommun, month=MONTH, year=2021)
        self.assertEqual(result.current_total - result.new_total, 5 * ((3490 + 1130) - (3160 + 1020)))
        self.assertEqual(result.lowered, 5)

    def test_only_managers_and_analysts_and_never_small_groups(self) -> None:
        with self.assertRaises(BenefitError):
            whatif.simulate(actor=self.anna, organisation=self.kommun, month=MONTH, percent=Decimal(2))
        with self.assertRaises(BenefitError):
            whatif.simulate(
                actor=self.cecilia, organisation=self.kommun, month=date(2023, 4, 1), percent=Decimal(2)
            )
        with self.assertRaises(BenefitError):
            whatif.simulate(actor=self.cecilia, organisation=self.kommun, month=MONTH)
