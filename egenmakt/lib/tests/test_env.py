"""Reading settings from the environment: defaults, accepted spellings and a clear error otherwise."""

from __future__ import annotations

import pytest

from egenmakt.lib.env import envbool, envint, envlist, envstr

NAME = "EGENMAKT_TEST_SETTING"


@pytest.fixture(autouse=True)
def _unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(NAME, raising=False)


@pytest.mark.parametrize("default", [True, False])
def test_envbool_uses_the_default_when_unset_or_empty(monkeypatch: pytest.MonkeyPatch, default: bool) -> None:
    assert envbool(NAME, default) is default
    monkeypatch.setenv(NAME, "")
    assert envbool(NAME, default) is default


@pytest.mark.parametrize("value", ["1", "true", "True", "TRUE", "yes", "Yes", "on", "ON"])
def test_envbool_reads_true(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(NAME, value)
    assert envbool(NAME, False) is True


@pytest.mark.parametrize("value", ["0", "false", "False", "no", "NO", "off", "Off"])
def test_envbool_reads_false(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(NAME, value)
    assert envbool(NAME, True) is False


@pytest.mark.parametrize("value", ["maybe", "2", "ja", "nej", "t"])
def test_envbool_refuses_other_values_naming_the_setting(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(NAME, value)
    with pytest.raises(ValueError) as caught:
        envbool(NAME, False)
    assert str(caught.value) == f"{NAME} must be true or false, not {value!r}"


def test_envint_uses_the_default_when_unset_or_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    assert envint(NAME, 7) == 7
    monkeypatch.setenv(NAME, "")
    assert envint(NAME, 7) == 7


@pytest.mark.parametrize("value, number", [("0", 0), ("42", 42), ("-3", -3), (" 600 ", 600)])
def test_envint_reads_whole_numbers(monkeypatch: pytest.MonkeyPatch, value: str, number: int) -> None:
    monkeypatch.setenv(NAME, value)
    assert envint(NAME, 7) == number


@pytest.mark.parametrize("value", ["4.5", "ten", "1e3", "12s"])
def test_envint_refuses_other_values_naming_the_setting(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(NAME, value)
    with pytest.raises(ValueError) as caught:
        envint(NAME, 7)
    assert str(caught.value) == f"{NAME} must be a whole number, not {value!r}"
    assert caught.value.__cause__ is None  # the message is the whole story, no int() traceback


def test_envstr_uses_the_default_when_unset_or_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    assert envstr(NAME, "standard") == "standard"
    monkeypatch.setenv(NAME, "")
    assert envstr(NAME, "standard") == "standard"
    monkeypatch.setenv(NAME, " värde ")
    assert envstr(NAME, "standard") == " värde "


def test_envlist_splits_on_commas_and_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAME, " egenmakt.example.se, localhost,, 127.0.0.1 ,")
    assert envlist(NAME, []) == ["egenmakt.example.se", "localhost", "127.0.0.1"]


def test_envlist_reads_a_single_item(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAME, "localhost")
    assert envlist(NAME, ["default"]) == ["localhost"]


@pytest.mark.parametrize("value", [None, "", "   "])
def test_envlist_uses_the_default_when_unset_or_blank(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is not None:
        monkeypatch.setenv(NAME, value)
    assert envlist(NAME, ["localhost"]) == ["localhost"]
