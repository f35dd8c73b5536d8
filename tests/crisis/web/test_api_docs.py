"""``/api/docs``: an integrator reads the JSON API's reference offline, under the app's CSP."""

from __future__ import annotations

import re

from tests.crisis.web.webtools import sign_in


def test_the_api_docs_list_every_operation_from_the_openapi_document(client):
    spec = client.get("/api/openapi.json").json()
    docs = client.get("/api/docs", headers={"Accept-Language": "en"})
    assert docs.status_code == 200
    text = docs.text
    operations = [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) >= 15
    for method, path in operations:
        assert f"<code>{method} {path}</code>" in text, (method, path)
    assert 'id="schema-EditIn"' in text and "<code>text</code>" in text  # a body's fields
    assert "Authorization: Bearer" in text and "X-CSRF-Token" in text
    assert re.search(r"<td>409</td><td><code>InvalidTransition</code>", text)
    assert "cdn." not in text and "<script>" not in text  # nothing the CSP or no internet stops


def test_the_api_docs_speak_german_too(client):
    docs = client.get("/api/docs", headers={"Accept-Language": "de-DE"})
    assert '<h2 id="auth">Anmeldung</h2>' in docs.text
    assert "Schemata" in docs.text


def test_the_openapi_document_names_the_bearer_token_and_the_error_shape(client):
    spec = client.get("/api/openapi.json").json()
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    assert spec["security"] == [{"token": []}]
    error = spec["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"error", "kind"}
    edit = spec["paths"]["/api/queue/{item_id}/edit"]["post"]["responses"]["422"]
    assert edit["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
    refused = client.post("/api/queue/1/edit", json={})  # and the app really answers that way
    assert set(refused.json()) == {"error", "kind"}


def test_the_api_docs_show_in_a_real_browser_without_csp_violations(page):
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))
    page.goto("/api/docs")
    assert page.locator("h1").inner_text() == "JSON-API"
    assert page.locator("section.api-op").count() >= 15
    assert page.locator("a[href='#schema-ItemOut']").first.is_visible()
    assert problems == []


def test_an_unknown_api_path_or_method_answers_in_the_apis_error_shape(client):
    missing = client.get("/api/no-such-thing")
    assert missing.status_code == 404
    assert missing.json() == {"error": "Not Found", "kind": "NotFound"}
    wrong = client.delete("/api/queue")
    assert wrong.status_code == 405 and wrong.json()["kind"] == "MethodNotAllowed"


def test_an_unknown_page_is_the_apps_error_page(client):
    sign_in(client, "tom")
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert '<span class="user-name">tom</span>' in missing.text and ">Home</a>" in missing.text


def test_a_signed_in_user_reads_the_api_docs_with_the_navigation(client):
    sign_in(client, "tom")
    docs = client.get("/api/docs").text
    assert '<span class="user-name">tom</span>' in docs and "Operations" in docs  # tom: English


def test_a_lead_finds_the_api_reference_where_api_tokens_are_made(client):
    sign_in(client, "lena")
    users = client.get("/users").text
    link = re.search(r'<a href="(/api/docs)">([^<]+)</a>', users)
    assert link and link.group(2) == "Die JSON-API: was sie kann, wie man sie aufruft"
    assert client.get(link.group(1)).status_code == 200
