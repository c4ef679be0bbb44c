from __future__ import annotations

import tempfile
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from egenmakt.consent.models import Consent
from egenmakt.test import BaseTestCase


class ConsentDocumentTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.media = self.enterContext(tempfile.TemporaryDirectory())
        self.enterContext(self.settings(MEDIA_ROOT=self.media))
        self.client.force_login(self.anna)

    def post(self, upload: SimpleUploadedFile) -> int:
        today = timezone.localdate()
        response = self.client.post(
            reverse("consent_new", args=[self.lina.pk]),
            {
                "recipients": [self.af.pk],
                "categories": ["grunduppgifter"],
                "purpose": "Arbete",
                "form": "skriftligt",
                "document": upload,
                "valid_from": today.isoformat(),
                "valid_to": (today + timedelta(days=30)).isoformat(),
            },
        )
        return response.status_code

    def test_a_script_disguised_as_a_pdf_is_refused(self) -> None:
        disguised = SimpleUploadedFile(
            "samtycke.pdf", b"<script>alert(1)</script>", content_type="application/pdf"
        )
        self.assertEqual(self.post(disguised), 422)
        self.assertFalse(Consent.objects.exists())

    def test_the_stored_name_and_served_type_come_from_the_files_own_bytes(self) -> None:
        real_pdf_named_html = SimpleUploadedFile(
            "samtycke.html", b"%PDF-1.4\n%signed\n", content_type="text/html"
        )
        self.assertEqual(self.post(real_pdf_named_html), 302)
        consent = Consent.objects.get()
        self.assertRegex(consent.document.name, r"^samtycken/\d{4}/[0-9a-f]{32}\.pdf$")
        response = self.client.get(reverse("consent_document", args=[self.lina.pk, consent.pk]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("sandbox", response["Content-Security-Policy"])
        self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.4\n%signed\n")  # type: ignore[attr-defined]

    def test_only_the_persons_own_unit_sees_the_scanned_form(self) -> None:
        upload = SimpleUploadedFile("s.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, content_type="image/png")
        self.assertEqual(self.post(upload), 302)
        consent = Consent.objects.get()
        self.client.force_login(self.pia)  # the recipient: sees Lina on consent, not the signed form
        self.assertEqual(
            self.client.get(reverse("consent_document", args=[self.lina.pk, consent.pk])).status_code, 404
        )
