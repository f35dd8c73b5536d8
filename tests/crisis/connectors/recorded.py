"""Recorded API payloads (no secrets in them) and obviously fake credentials."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crisis.settings import Settings

PAYLOADS = Path(__file__).parent / "payloads"
BRAND_ID = "1111111111"
PAGE_ID = "1234567890123456"
BEARER = "TEST-BEARER-not-a-real-token"
PAGE_TOKEN = "EAAB-TEST-PAGE-TOKEN"
APP_SECRET = "test-app-secret-0123456789"
VERIFY_TOKEN = "test-verify-token"


def payload(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "x_bearer_token": BEARER,
        "x_consumer_key": "ck-test",
        "x_consumer_secret": "cs-test",
        "x_access_token": "at-test",
        "x_access_token_secret": "ats-test",
        "x_account_id": BRAND_ID,
        "facebook_page_id": PAGE_ID,
        "facebook_page_token": PAGE_TOKEN,
        "facebook_app_secret": APP_SECRET,
        "facebook_verify_token": VERIFY_TOKEN,
        "connector_timeout_seconds": 7,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)
