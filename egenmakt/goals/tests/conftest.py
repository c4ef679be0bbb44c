from __future__ import annotations

import pytest

from egenmakt.test import Personas


@pytest.fixture
def personas(db: None) -> Personas:
    return Personas()
