"""The nämnd report: every commitment with its status, history and what has happened, and the measured
figures next to it, the same suppressed numbers as on the goal pages."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from egenmakt.analytics.report import ShareRow
from egenmakt.audit.models import AuditEvent
from egenmakt.goals import services
from egenmakt.goals.tests.factories import BACK_IN_12, LONG_TERM, make_commitment, make_goal, store_report
from egenmakt.test import Personas

TODAY = timezone.localdate()


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _latest_on_page(client: Client, goal_id: int) -> str:
    page = client.get(f"/mal/{goal_id}/").content.decode()
    return re.sub(r"\s+", " ", page.split('id="latest-value">')[1].split("<")[0]).strip()


@pytest.mark.django_db
def test_the_pdf_lists_every_commitment_with_history_and_the_page_s_numbers(personas: Personas) -> None:
    store_report(
        [
            ShareRow(LONG_TERM, "alla", "alla", 37, 100),
            ShareRow(LONG_TERM, "malgrupp", "uvas", 3, 40),  # 3 counted: hidden
            ShareRow(BACK_IN_12, "alla", "alla", 21, 70),
        ]
    )
    shown = make_goal(personas, title="Färre med långvarigt bistånd", baseline="41", target="33")
    hidden = make_goal(personas, title="Färre unga med långvarigt bistånd", target_group="uvas")
    services.snapshot_goals(actor=None, month=TODAY.replace(day=1))
    first = make_commitment(personas, goals=[shown, hidden], indicators=[BACK_IN_12])
    services.record_commitment_status(
        actor=personas.cecilia,
        commitment=first,
        status="pagar",
        on=TODAY - timedelta(days=10),
        comment="Ungdomsteamet har startat.",
    )
    make_commitment(
        personas, kind="uppdrag", text="Inför ärendedragning varje vecka.", responsible="Enhetschef EB"
    )
    # A commitment of another organisation is not in Exempelkommun's report.
    services.create_commitment(
        actor=personas.sam,
        details=services.CommitmentDetails(
            kind="uppdrag",
            text="Arbetsförmedlingens eget uppdrag.",
            organisation=personas.af,
            responsible="AF",
            source_title="Regleringsbrev",
        ),
    )
    client = Client()
    client.force_login(personas.anna)
    response = client.get("/uppdrag/rapport-till-namnden.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = re.sub(r"\s+", " ", _text(response.content))

    assert "rapport till nämnden" in text
    assert "Alla unga som söker försörjningsstöd" in text and "Inför ärendedragning varje vecka." in text
    assert "Arbetsförmedlingens eget uppdrag" not in text
    # Status now, and the whole history with what happened.
    assert "Vallöfte: Pågår" in text and "Uppdrag: Ej påbörjad" in text
    assert "Registrerat." in text and "Ungdomsteamet har startat." in text
    assert (TODAY - timedelta(days=10)).isoformat() in text

    # The goal pages' numbers, and no more: 37 % with its progress; the hidden cell as a dash, its raw
    # counts nowhere.
    assert _latest_on_page(client, shown.pk).startswith("37 %")
    assert _latest_on_page(client, hidden.pk) == "–"
    goal_row = re.search(
        r"Färre med långvarigt bistånd \(.*?\) (\S+ %) 41 % 33 % senast \S+ (\d+ % av vägen)", text
    )
    assert goal_row is not None
    assert goal_row.group(1) == "37 %"
    assert goal_row.group(2) in client.get(f"/mal/{shown.pk}/").content.decode()
    hidden_row = re.search(r"Färre unga med långvarigt bistånd \(.*?\) (\S+) 40 % 30 %", text)
    assert hidden_row is not None and hidden_row.group(1) == "–"
    assert "3 av 40" not in text and " 3 % " not in text
    assert re.search(r"Åter till försörjningsstöd inom 12 månader \(alla\) 30 %", text)
    assert AuditEvent.objects.filter(action="commitments.report_printed", actor=personas.anna).count() == 1


@pytest.mark.django_db
def test_the_pdf_numbers_equal_the_commitments_page(personas: Personas) -> None:
    store_report([ShareRow(LONG_TERM, "alla", "alla", 58, 160)])
    goal = make_goal(personas)
    services.snapshot_goals(actor=None, month=TODAY.replace(day=1))
    make_commitment(personas, goals=[goal], indicators=[LONG_TERM])
    client = Client()
    client.force_login(personas.cecilia)
    page = client.get("/uppdrag/").content.decode()
    table = page.split('class="measured"')[1].split("</table>")[0]
    page_numbers = re.findall(r"\d+ %", table)
    text = _text(client.get("/uppdrag/rapport-till-namnden.pdf").content)
    pdf_table = re.sub(r"\s+", " ", text.split("Uppmätt")[1])
    assert page_numbers and re.findall(r"\d+ %", pdf_table)[: len(page_numbers)] == page_numbers
