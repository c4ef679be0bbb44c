from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from django.views.i18n import set_language as django_set_language

from egenmakt.web.decorators import public_view

set_language = public_view(django_set_language)


@require_GET
@public_view
def health(request: HttpRequest) -> HttpResponse:
    """For load balancers: the database answers. Says nothing about anyone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
