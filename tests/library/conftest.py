from __future__ import annotations

import pytest

from tests.factories import make_user


@pytest.fixture
def other(app):
    return make_user(name="Hélène Garnier", email="helene@exemple.fr")
