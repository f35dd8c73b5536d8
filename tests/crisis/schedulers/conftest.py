import pytest
import responses

from crisis.settings import Settings
from tests.crisis.connectors.recorded import make_settings
from tests.crisis.schedulers.fakes import POSTIZ


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def settings() -> Settings:
    return make_settings(
        facebook_native_scheduling=True,
        postiz_url=POSTIZ,
        postiz_api_key="test-postiz-key-0123",
    )
