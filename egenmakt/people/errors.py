"""Domain errors of the people app, with messages a caseworker can act on."""

from __future__ import annotations

from django.utils.functional import Promise


class PeopleError(Exception):
    """A domain error. `field` names the input the message is about, when there is one, so a form can
    show it next to that field."""

    def __init__(self, message: str | Promise, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class DuplicateIdentity(PeopleError):
    """Someone with the same identity is already registered."""

    def __init__(self, message: str | Promise, existing_id: int) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class PossibleDuplicates(PeopleError):
    """People with the same birth date and a similar name exist; the caseworker must confirm."""

    def __init__(self, message: str | Promise, candidate_ids: list[int]) -> None:
        super().__init__(message)
        self.candidate_ids = candidate_ids
