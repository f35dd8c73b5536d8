"""schemathesis against the API's own OpenAPI document (bounded): whatever the schema allows,
and whatever it does not (numbers beyond the id range, wrong types: negative cases), is never
a 500. Runs on
SQLite and PostgreSQL, with a crisis in the database and a lead's token."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")  # a dev extra

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402

from crisis.clock import VirtualClock  # noqa: E402
from crisis.settings import Settings  # noqa: E402
from crisis.web.app import create_app  # noqa: E402
from tests.crisis.web.test_queue_api import token_for  # noqa: E402
from tests.crisis.web.test_queue_data import a_crisis  # noqa: E402
from tests.crisis.web.webtools import NOW, add_users  # noqa: E402


def test_no_api_request_is_answered_with_a_500(engine):
    add_users(engine)
    a_crisis(engine)
    app = create_app(Settings(), engine=engine, clock=VirtualClock(NOW))
    auth = token_for(engine, "lena")
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    failures: list[str] = []
    skipped: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10

    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    for operation, mode in [(op, mode) for op in operations for mode in modes]:

        @settings(max_examples=12, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case) -> None:
            response = case.call(headers=auth)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:200]}")

        try:
            call()
        except Unsatisfiable:  # no case of this mode exists (a schema with nothing to break)
            skipped.append(f"{operation.method.upper()} {operation.path} {mode.value}")
    assert failures == []
    assert len(skipped) < len(operations)  # nearly every operation was called in both modes
