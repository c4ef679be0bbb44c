"""Application → calculation → decision → notification → appeal; absence → proposal → kommunicering →
reduction decision → the next calculation; the payment run with maker-checker."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from django.db import IntegrityError, transaction
from django.test import override_settings

from egenmakt.attendance.models import TaskStatus
from egenmakt.audit.models import AuditEvent
from egenmakt.benefits import payment_files, payments, services
from egenmakt.benefits.models import (
    AppealStatus,
    Application,
    ApplicationStatus,
    DecisionKind,
    LocalCap,
    Outcome,
    Payment,
    Reduction,
    ReductionStatus,
    RunStatus,
)
from egenmakt.benefits.services import BenefitError
from egenmakt.benefits.tests import factories
from egenmakt.benefits.tests.factories import MONTH
from egenmakt.people.models import HouseholdRelation
from egenmakt.test import BaseTestCase, valid_pnr


class DecisionFlowTestCase(BaseTestCase):
    def setUp(self) -> None:
        # Lina (33 in 2023) with a son of 9 and a daughter of 4 who lives with her half the time.
        self.son = factories.add_child(self.personas, valid_pnr("20131010", "004"), "Sam")
        self.daughter = factories.add_child(
            self.personas, valid_pnr("20180505", "003"), "Siri", residence_share=50
        )
        factories.since_long_ago(self.personas)
        LocalCap.objects.create(
            organisation=self.kommun, kind="boende", children=2, amount=6900, valid_from=date(2023, 1, 1)
        )

    def apply(self, **extra: object) -> Application:
        fields = {
            "costs": [
                {"kind": "boende", "amount": 7400},
                {"kind": "livsforing", "label": "Glasögon", "amount": 1200},
            ],
            "incomes": [{"kind": "barnbidrag", "amount": 2500}],
        } | extra
        return services.register_application(actor=self.anna, case=self.lina_case, month=MONTH, **fields)  # type: ignore[arg-type]

    def test_members_come_from_the_household_register_with_shared_residence_as_days(self) -> None:
        application = self.apply()
        members = {m["id"]: m for m in application.input["members"]}
        self.assertEqual(members[str(self.lina.pk)]["role"], "sokande")
        self.assertEqual(members[str(self.daughter.pk)]["days"], 16)  # 50 % of 31, halves up
        self.assertNotIn("days", members[str(self.son.pk)])

    def test_calculation_uses_the_local_cap_and_explains_every_line(self) -> None:
        calculation = services.calculate_application(actor=self.anna, application=self.apply())
        # 3 490 + 3 380 (9 years) + 2 700 × 16/31 (4 years) + common 3 persons 1 580 + rent capped 6 900
        # + glasögon 1 200 − barnbidrag 2 500
        daughter = (2 * 2700 * 16 + 31) // 62
        self.assertEqual(calculation.entitlement, 3490 + 3380 + daughter + 1580 + 6900 + 1200 - 2500)
        self.assertTrue(calculation.norm_official)
        self.assertEqual(sum(line["amount"] for line in calculation.result["lines"]), calculation.entitlement)
        self.assertTrue(AuditEvent.objects.filter(action="calculation.made", category="ekonomi").exists())

    def test_a_capped_rent_is_a_partial_refusal_that_needs_reasons_and_can_be_appealed(self) -> None:
        application = self.apply()
        calculation = services.calculate_application(actor=self.anna, application=application)
        with self.assertRaises(BenefitError) as refused:
            services.decide(actor=self.anna, application=application)
        self.assertEqual(refused.exception.field, "reasons:kostnad:boende")
        decision = services.decide(
            actor=self.anna,
            application=application,
            item_reasons={
                "kostnad:boende": "Hyran är högre än kommunens högsta godtagbara för tre personer."
            },
        )
        items = {item.key: item for item in decision.items.all()}
        self.assertEqual(items["kostnad:boende"].outcome, Outcome.DELVIS_BIFALL)
        self.assertEqual((items["kostnad:boende"].applied, items["kostnad:boende"].granted), (7400, 6900))
        self.assertEqual(items["norm"].outcome, Outcome.BIFALL)
        # Decided today, after 2025-07-01: the new law, whose numbering the sources have not verified.
        self.assertEqual(decision.law_version, "SoL2025")
        self.assertIn("12 kap. 7 § socialtjänstlagen (2025:400)", items["norm"].legal_basis)
        self.assertFalse(items["norm"].legal_verified)
        self.assertEqual(decision.amount, calculation.entitlement)
        self.assertEqual(services.decision_outcome(decision), Outcome.DELVIS_BIFALL)
        application.refresh_from_db()
        self.assertEqual(application.status, ApplicationStatus.BESLUTAD)

        services.notify(actor=self.anna, decision=decision, notified_on=decision.decided_at.date())
        deadline = decision.appeal_deadline
        assert deadline is not None
        self.assertEqual(deadline, decision.decided_at.date() + timedelta(weeks=3))
        on_time = services.register_appeal(
            actor=self.anna,
            decision=decision,
            item=items["kostnad:boende"],
            received_on=deadline,
        )
        self.assertTrue(on_time.in_time)
        with self.assertRaises(BenefitError):
            services.settle_appeal(
                actor=self.anna, appeal=on_time, status=AppealStatus.AVVISAT, on=date.today(), note="x"
            )
        services.settle_appeal(
            actor=self.anna, appeal=on_time, status=AppealStatus.OVERLAMNAT, on=date.today()
        )
        late = services.register_appeal(
            actor=self.anna,
            decision=decision,
            item=items["kostnad:boende"],
            received_on=deadline + timedelta(days=1),
        )
        self.assertFalse(late.in_time)
        with self.assertRaises(BenefitError):  # a fully granted item is not appealable here
            services.register_appeal(
                actor=self.anna, decision=decision, item=items["norm"], received_on=date.today()
            )

    def test_a_refused_livsforing_item_is_its_own_avslag(self) -> None:
        application = self.apply()
        services.calculate_application(actor=self.anna, application=application)
        decision = services.decide(
            actor=self.anna,
            application=application,
            granted={"kostnad:livsforing:0": 0},
            item_reasons={
                "kostnad:livsforing:0": "Glasögon ingår i regionens bidrag.",
                "kostnad:boende": "Över taket.",
            },
        )
        item = decision.items.get(key="kostnad:livsforing:0")
        self.assertEqual((item.outcome, item.granted), (Outcome.AVSLAG, 0))
        self.assertIn("11 kap. 1 §", item.legal_basis)

    def test_income_above_the_need_is_an_avslag_with_reasons(self) -> None:
        application = self.apply(incomes=[{"kind": "lon_netto", "amount": 40000}])
        services.calculate_application(actor=self.anna, application=application)
        with self.assertRaises(BenefitError) as refused:
            services.decide(
                actor=self.anna, application=application, item_reasons={"kostnad:boende": "Över taket."}
            )
        self.assertEqual(refused.exception.field, "reasons")
        decision = services.decide(
            actor=self.anna,
            application=application,
            item_reasons={"kostnad:boende": "Över taket."},
            reasons="Hushållets inkomster är högre än behovet.",
        )
        self.assertEqual((decision.amount, services.decision_outcome(decision)), (0, Outcome.AVSLAG))

    def test_no_real_decision_on_a_projected_norm(self) -> None:
        application = services.register_application(
            actor=self.anna, case=self.lina_case, month=date(2026, 2, 1), costs=[], incomes=[]
        )
        calculation = services.calculate_application(actor=self.anna, application=application)
        self.assertFalse(calculation.norm_official)
        self.assertTrue(calculation.result["warnings"])
        with self.assertRaises(BenefitError) as refused:
            services.decide(actor=self.anna, application=application)
        self.assertIn("projektion", str(refused.exception))

    def test_another_municipality_cannot_handle_the_case(self) -> None:
        with self.assertRaises(BenefitError):
            services.register_application(actor=self.gustav, case=self.lina_case, month=MONTH)

    def test_an_adult_who_is_not_a_sambo_shares_the_common_costs(self) -> None:
        factories.add_child(
            self.personas, valid_pnr("19700303", "005"), "Vän", relation=HouseholdRelation.ANNAN_VUXEN
        )
        factories.since_long_ago(self.personas)
        application = self.apply(costs=[], incomes=[])
        self.assertEqual(application.input["others_in_dwelling"], 1)
        calculation = services.calculate_application(actor=self.anna, application=application)
        common = next(x for x in calculation.result["lines"] if x["key"] == "norm:gemensamt")
        self.assertEqual(common["amount"], (2 * 1790 * 3 + 4) // 8)  # 4 in the home, 3 of them ours


def test_the_law_version_follows_the_decision_date() -> None:
    from egenmakt.benefits import legal

    before = legal.reference("forsorjningsstod", on=date(2025, 6, 30))
    after = legal.reference("forsorjningsstod", on=date(2025, 7, 1))
    assert (before.law.code, before.citation) == ("SoL2001", "4 kap. 1 och 3 §§ socialtjänstlagen (2001:453)")
    assert before.verified and not after.verified
    assert after.citation == "11 kap. 1 § och 12 kap. 7 § socialtjänstlagen (2025:400)"


class ReductionFlowTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.son = factories.add_child(self.personas, valid_pnr("20131010", "004"), "Sam")
        factories.since_long_ago(self.personas)
        self.tasks = factories.unexcused_absences(self.personas, days=2)
        self.month = date(2023, 4, 1)

    def propose(self, **extra: object) -> Reduction:
        fields = {
            "month": self.month,
            "basis": "dagar",
            "days": 2,
            "reasons": "Två dagars ogiltig frånvaro från praktiken.",
        } | extra
        return services.propose_reduction(actor=self.anna, tasks=self.tasks, **fields)  # type: ignore[arg-type]

    def test_the_whole_due_process_before_anything_is_deducted(self) -> None:
        reduction = self.propose()
        # Adults' part only: 3 490 × 2 / 30 (April) = 232.67 → 233; the son's 3 380 is not touched.
        self.assertEqual(reduction.proposed_amount, 233)
        self.assertEqual({t.status for t in reduction.tasks.all()}, {TaskStatus.HANTERAD})
        with self.assertRaises(BenefitError):
            services.decide_reduction(actor=self.anna, reduction=reduction, amount=233, reasons="x")

        sent = date.today()
        services.communicate(
            actor=self.anna, reduction=reduction, sent_on=sent, reply_deadline=sent + timedelta(days=10)
        )
        with self.assertRaises(BenefitError):  # the deadline has not passed
            services.record_no_reply(actor=self.anna, reduction=reduction, on=sent + timedelta(days=10))
        with self.assertRaises(BenefitError):  # still no reply recorded
            services.decide_reduction(actor=self.anna, reduction=reduction, amount=233, reasons="x")
        services.record_reply(
            actor=self.anna,
            reduction=reduction,
            received_on=sent + timedelta(days=3),
            text="Jag var sjuk men ringde inte.",
        )
        with self.assertRaises(BenefitError):  # more than was communicated
            services.decide_reduction(actor=self.anna, reduction=reduction, amount=300, reasons="x")
        decision = services.decide_reduction(
            actor=self.anna,
            reduction=reduction,
            amount=116,
            reasons="Svaret beaktat: en dag räknas som giltig. Nedsättning för en dag.",
        )
        self.assertEqual(
            (decision.kind, decision.amount, decision.month), (DecisionKind.NEDSATTNING, 116, self.month)
        )
        reduction.refresh_from_db()
        self.assertEqual(reduction.status, ReductionStatus.BESLUTAD)

        application = services.register_application(actor=self.anna, case=self.lina_case, month=self.month)
        calculation = services.calculate_application(actor=self.anna, application=application)
        reductions = [x for x in calculation.result["lines"] if x["group"] == "nedsattning"]
        self.assertEqual([x["amount"] for x in reductions], [-116])
        self.assertEqual(calculation.entitlement, 3490 + 3380 + 1250 - 116)

    def test_no_reply_after_the_deadline_also_settles_kommunicering(self) -> None:
        reduction = self.propose()
        sent = date.today() - timedelta(days=20)
        services.communicate(
            actor=self.anna, reduction=reduction, sent_on=sent, reply_deadline=sent + timedelta(days=10)
        )
        services.record_no_reply(actor=self.anna, reduction=reduction)
        decision = services.decide_reduction(
            actor=self.anna, reduction=reduction, amount=233, reasons="Inget svar kom."
        )
        self.assertEqual(decision.amount, 233)

    def test_no_real_reduction_decision_on_a_projected_norm(self) -> None:
        reduction = self.propose(month=date(2026, 12, 1))
        sent = date.today() - timedelta(days=20)
        services.communicate(
            actor=self.anna, reduction=reduction, sent_on=sent, reply_deadline=sent + timedelta(days=10)
        )
        services.record_no_reply(actor=self.anna, reduction=reduction)
        with self.assertRaises(BenefitError) as refused:
            services.decide_reduction(actor=self.anna, reduction=reduction, amount=100, reasons="Inget svar.")
        self.assertIn("projektion", str(refused.exception))

    def test_the_childrens_part_only_with_a_reason(self) -> None:
        with self.assertRaises(BenefitError) as refused:
            self.propose(include_children=True)
        self.assertEqual(refused.exception.field, "children_reason")
        with self.assertRaises(BenefitError) as too_much:
            self.propose(basis="belopp", amount=4000)
        self.assertEqual(too_much.exception.field, "amount_asked")
        reduction = self.propose(include_children=True, children_reason="Barnet bor inte längre hemma.")
        self.assertEqual(reduction.proposed_amount, (2 * (3490 + 3380) * 2 + 30) // 60)

    def test_items_basis_uses_the_norms_items(self) -> None:
        reduction = self.propose(basis="poster", items=["fritid_lek"], days=None)
        self.assertEqual(reduction.proposed_amount, 500)

    def test_a_month_already_decided_cannot_be_reduced(self) -> None:
        application = services.register_application(actor=self.anna, case=self.lina_case, month=self.month)
        services.calculate_application(actor=self.anna, application=application)
        services.decide(actor=self.anna, application=application)
        with self.assertRaises(BenefitError) as refused:
            self.propose()
        self.assertEqual(refused.exception.field, "month")


class PaymentRunTestCase(BaseTestCase):
    def setUp(self) -> None:
        factories.since_long_ago(self.personas)
        factories.payer(self.personas)
        factories.account(self.personas)
        application = services.register_application(
            actor=self.anna, case=self.lina_case, month=MONTH, costs=[{"kind": "boende", "amount": 5000}]
        )
        services.calculate_application(actor=self.anna, application=application)
        self.decision = services.decide(actor=self.anna, application=application)
        self.folder = TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)

    def test_maker_checker_then_paid_once_with_a_valid_pain001_file(self) -> None:
        run = payments.prepare_run(
            actor=self.anna,
            organisation=self.kommun,
            month=MONTH,
            execution_date=date.today() + timedelta(days=1),
        )
        self.assertEqual((run.households, run.total), (1, self.decision.amount))
        with self.assertRaises(BenefitError):  # a handläggare cannot approve
            payments.approve_run(actor=self.anna, run=run)
        with self.assertRaises(BenefitError):  # not approved yet
            payments.execute_run(actor=self.cecilia, run=run)
        payments.approve_run(actor=self.cecilia, run=run)
        with override_settings(EGENMAKT_PAYMENT_DIR=self.folder.name):
            run = payments.execute_run(actor=self.cecilia, run=run)
            again = payments.execute_run(actor=self.cecilia, run=run)
            xml_path, csv_path = payments.file_paths(run)
            xml = xml_path.read_text()
            rows = csv_path.read_text().splitlines()
        self.assertEqual(
            (again.status, again.paid_households, again.paid_total), (RunStatus.KLAR, 1, self.decision.amount)
        )
        self.assertEqual(Payment.objects.count(), 1)
        self.assertIn("pain.001.001.03", xml)
        self.assertIn(f'<InstdAmt Ccy="SEK">{self.decision.amount}.00</InstdAmt>', xml)
        self.assertIn(factories.IBAN, xml)
        self.assertEqual(len(rows), 2)
        self.assertTrue(rows[1].endswith(f";konto;EGM-202303-{self.decision.pk}"))
        self.assertEqual(
            AuditEvent.objects.filter(action="payment.made", participant_id=self.lina.pk).count(), 1
        )

        # The file is valid against the XSD that ships with sepaxml, checked independently here.
        import sepaxml
        import xmlschema

        schema = xmlschema.XMLSchema(str(Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"))
        schema.validate(xml)

    def test_a_payment_file_that_breaks_the_xsd_is_refused(self) -> None:
        from sepaxml.validation import ValidationError

        run = payments.prepare_run(
            actor=self.anna, organisation=self.kommun, month=MONTH, execution_date=date.today()
        )
        payments.approve_run(actor=self.cecilia, run=run)
        with override_settings(EGENMAKT_PAYMENT_DIR=self.folder.name):
            run = payments.execute_run(actor=self.cecilia, run=run)
        xml = payments.build_files(run).xml
        assert xml is not None
        payment_files.validate_pain001(xml)  # as written, valid
        broken = {
            "an IBAN the pattern refuses": xml.replace(factories.IBAN.encode(), b"SE00 not an iban"),
            "an amount that is not one": xml.replace(b'Ccy="SEK">', b'Ccy="SEK">fem', 1),
            "an element the schema does not know": xml.replace(b"<PmtInf>", b"<PmtInf><Extra/>", 1),
            "a file cut short": xml[: len(xml) // 2],
            "no XML at all": b"hushall;manad;beslut",
        }
        for problem, content in broken.items():
            with self.subTest(problem), self.assertRaises(ValidationError):
                payment_files.validate_pain001(content)

    def test_the_database_refuses_a_second_payment_for_the_same_decision(self) -> None:
        run = payments.prepare_run(
            actor=self.anna, organisation=self.kommun, month=MONTH, execution_date=date.today()
        )
        payments.approve_run(actor=self.cecilia, run=run)
        with override_settings(EGENMAKT_PAYMENT_DIR=self.folder.name):
            payments.execute_run(actor=self.cecilia, run=run)
        payment = Payment.objects.get()
        with self.assertRaises(IntegrityError), transaction.atomic():
            Payment.objects.create(
                run=run,
                household=payment.household,
                month=payment.month,
                decision=payment.decision,
                amount=1,
                payee="x",
                end_to_end_id="other",
            )

    def test_nothing_to_pay_and_one_open_run_per_month(self) -> None:
        payments.prepare_run(
            actor=self.anna, organisation=self.kommun, month=MONTH, execution_date=date.today()
        )
        with self.assertRaises(BenefitError):
            payments.prepare_run(
                actor=self.anna, organisation=self.kommun, month=MONTH, execution_date=date.today()
            )
        with self.assertRaises(BenefitError):
            payments.prepare_run(
                actor=self.anna, organisation=self.kommun, month=date(2023, 5, 1), execution_date=date.today()
            )

    def test_a_partner_cannot_prepare(self) -> None:
        with self.assertRaises(BenefitError):
            payments.prepare_run(
                actor=self.pia, organisation=self.kommun, month=MONTH, execution_date=date.today()
            )
