from __future__ import annotations

from django.urls import reverse

from egenmakt.test import BaseTestCase


class PagesRenderTestCase(BaseTestCase):
    def test_it_renders_every_caseworker_page(self) -> None:
        self.client.force_login(self.anna)
        for url in [
            reverse("start"),
            reverse("participant_search") + "?q=lina",
            reverse("participant", args=[self.lina.pk]),
            reverse("participant_edit", args=[self.lina.pk]),
            reverse("participant_register"),
            reverse("household_add", args=[self.lina.pk]),
            reverse("participant_export"),
        ]:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)

    def test_it_renders_manager_and_analyst_pages(self) -> None:
        self.client.force_login(self.cecilia)
        self.assertEqual(self.client.get(reverse("access_log")).status_code, 200)
        self.assertEqual(self.client.get(reverse("start")).status_code, 200)
        self.client.force_login(self.alva)
        self.assertEqual(self.client.get(reverse("start")).status_code, 200)
