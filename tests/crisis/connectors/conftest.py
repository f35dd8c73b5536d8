"""Settings with obviously fake tokens for every connector test."""

import pytest

from crisis.settings import Settings
from tests.crisis.connectors.recorded import make_settings


@pytest.fixture
def settings() -> Settings:
    return make_settings()
