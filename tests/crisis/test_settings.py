"""Secrets stay secret, placeholders never reach production, missing settings are named."""

import pytest

from crisis.errors import ConfigError
from crisis.settings import Settings


def test_secrets_are_hidden_in_reprs_and_dumps():
    settings = Settings(
        _env_file=None, x_bearer_token="AAAA-real-bearer", facebook_app_secret="app-secret-xyz"
    )
    shown = repr(settings) + str(settings) + settings.model_dump_json()
    assert "AAAA-real-bearer" not in shown and "app-secret-xyz" not in shown
    assert settings.secret("x_bearer_token") == "AAAA-real-bearer"


def test_placeholder_secrets_are_refused_outside_local_use_without_echoing_other_secrets():
    with pytest.raises(ConfigError) as caught:
        Settings(
            _env_file=None,
            environment="production",
            facebook_app_secret="changeme",
            x_bearer_token="AAAA-real-bearer",
        )
    assert "CRISIS_FACEBOOK_APP_SECRET holds a placeholder" in str(caught.value)
    assert "AAAA-real-bearer" not in str(caught.value)
    local = Settings(_env_file=None, facebook_app_secret="changeme")  # a laptop may
    assert local.secret("facebook_app_secret") == "changeme"


def test_a_missing_setting_names_its_environment_variable():
    settings = Settings(_env_file=None)
    with pytest.raises(ConfigError, match="reading X needs CRISIS_X_BEARER_TOKEN"):
        settings.require("x_bearer_token", purpose="reading X")
    with pytest.raises(ConfigError, match="set CRISIS_FACEBOOK_PAGE_TOKEN"):
        settings.secret("facebook_page_token")


def test_the_graph_version_must_look_like_one():
    with pytest.raises(ValueError, match="facebook_graph_version"):
        Settings(_env_file=None, facebook_graph_version="21")
    assert Settings(_env_file=None).facebook_graph_version == "v21.0"
