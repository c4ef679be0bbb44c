"""Organisationsnummer: ten digits with a Luhn check digit, stored without the dash."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from egenmakt.organisations.models import (
    Organisation,
    OrganisationKind,
    normalise_organisationsnummer,
    validate_organisationsnummer,
)


@pytest.mark.parametrize(
    "raw, digits",
    [
        ("212000-0142", "2120000142"),
        ("2120000142", "2120000142"),
        ("556016-0680", "5560160680"),
        ("202100-5489", "2021005489"),
        (" 202100 5489 ", "2021005489"),
        ("212000–0142", "2120000142"),  # en dash, as pasted from a document
        ("２１２０００-０１４２", "2120000142"),  # fullwidth digits: stdnum turns them into 0-9
    ],
)
def test_valid_numbers_normalise_to_ten_digits(raw: str, digits: str) -> None:
    assert normalise_organisationsnummer(raw) == digits
    validate_organisationsnummer(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "212000-0143",  # wrong check digit
        "556016-0681",
        "212000-014",  # nine digits
        "21200001420",  # eleven digits
        "",
        "21200A-0142",  # a letter
        "abcdef-ghij",
        "٢١٢٠٠٠-٠١٤٢",  # Arabic-Indic digits are not turned into 0-9
    ],
)
def test_invalid_numbers_are_refused_with_a_message_naming_the_value(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_organisationsnummer(raw)
    assert caught.value.code == "invalid_organisationsnummer"
    (message,) = caught.value.messages
    assert message.startswith(f"{raw} är inte ett giltigt organisationsnummer.")
    assert "tio siffror" in message
    with pytest.raises(ValidationError):
        validate_organisationsnummer(raw)


def _organisation(number: str) -> Organisation:
    return Organisation(name="Testkommunen", kind=OrganisationKind.KOMMUN, organisationsnummer=number)


@pytest.mark.django_db
def test_full_clean_refuses_an_organisation_with_an_invalid_number() -> None:
    organisation = _organisation("212000-0143")
    with pytest.raises(ValidationError) as caught:
        organisation.full_clean()
    field_messages = caught.value.message_dict["organisationsnummer"]
    assert any("212000-0143 är inte ett giltigt organisationsnummer" in message for message in field_messages)


@pytest.mark.django_db
def test_full_clean_reports_an_invalid_number_once() -> None:
    with pytest.raises(ValidationError) as caught:
        _organisation("212000-0143").full_clean()
    assert list(caught.value.message_dict) == ["organisationsnummer"]


@pytest.mark.django_db
def test_full_clean_stores_a_valid_number_without_the_dash() -> None:
    organisation = _organisation("212000-0142")
    organisation.full_clean()
    assert organisation.organisationsnummer == "2120000142"
    assert organisation.organisationsnummer_formatted == "212000-0142"
