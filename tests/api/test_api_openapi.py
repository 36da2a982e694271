"""The OpenAPI document and the interactive docs."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/me": {"get"},
    "/api/pupils": {"get", "post"},
    "/api/pupils/{pupil_id}": {"get"},
    "/api/pupils/{pupil_id}/records": {"get"},
    "/api/contacts": {"get"},
    "/api/contacts/{contact_id}": {"get"},
    "/api/placements": {"get", "post"},
    "/api/placements/{placement_id}": {"get"},
    "/api/placements/{placement_id}/end": {"post"},
    "/api/requests": {"get", "post"},
    "/api/requests/{request_id}": {"get"},
    **{
        f"/api/requests/{{request_id}}/{action}": {"post"}
        for action in [
            "assign",
            "identity-requested",
            "identity-verified",
            "clarification-asked",
            "clarification-received",
            "fee",
            "fee-received",
            "extension",
            "competence",
            "pupil-view",
            "dpo-decision",
            "transition",
            "release",
            "notes",
        ]
    },
    # The work on a request and its outcomes (steward/api/rights_work.py).
    "/api/requests/{request_id}/tasks": {"get", "post"},
    "/api/requests/{request_id}/tasks/suggested": {"get"},
    "/api/requests/{request_id}/tasks/{task_id}/complete": {"post"},
    "/api/requests/{request_id}/tasks/{task_id}/cancel": {"post"},
    "/api/requests/{request_id}/bundles": {"get", "post"},
    "/api/requests/{request_id}/bundles/{bundle_id}/pdf": {"get"},
    "/api/requests/{request_id}/bundles/{bundle_id}/zip": {"get"},
    "/api/requests/{request_id}/redactions": {"get", "post"},
    "/api/requests/{request_id}/redactions/propose": {"post"},
    "/api/requests/{request_id}/redactions/done": {"post"},
    "/api/requests/{request_id}/redactions/{mark_id}/decide": {"post"},
    "/api/requests/{request_id}/rectifications": {"post"},
    "/api/requests/{request_id}/recipients-to-tell": {"get"},
    "/api/requests/{request_id}/erasure-plan": {"get"},
    "/api/requests/{request_id}/erasure": {"post"},
    "/api/requests/{request_id}/restrictions": {"post"},
    "/api/requests/{request_id}/restrictions/{restriction_id}/lift": {"post"},
    "/api/pupils/{pupil_id}/restrictions": {"get"},
    "/api/requests/{request_id}/objection": {"post"},
    "/api/requests/{request_id}/objection/pending": {"post"},
    "/api/requests/{request_id}/youth-support": {"get", "post"},
    "/api/requests/{request_id}/youth-support/opt-down": {"post"},
    "/api/requests/{request_id}/consent-withdrawal": {"post"},
    # Data sharing (steward/api/sharing.py).
    "/api/pupils/{pupil_id}/disclosures": {"get"},
    "/api/disclosures/verify": {"get"},
    "/api/share-runs": {"get"},
    "/api/share-runs/{run_id}": {"get"},
    "/api/share/youth-services": {"post"},
    "/api/share/statutory": {"post"},
    "/api/packages/{token}": {"get"},
    "/api/adhoc": {"get", "post"},
    "/api/adhoc/{request_id}": {"get"},
    "/api/adhoc/{request_id}/decide": {"post"},
    "/api/ctf/export": {"post"},
    "/api/ctf/import": {"post"},
    "/api/ctf/child-protection": {"get"},
    "/api/ctf/child-protection/{transfer_id}/sent": {"post"},
    "/api/agreements": {"get", "post"},
    "/api/notice-flags": {"get", "post"},
}


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_openapi_document_is_served_and_complete() -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Steward API"
    assert {path: set(ops) for path, ops in doc["paths"].items()} == PATHS
    assert doc["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"},
        "SessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op["security"] == [{"TokenAuth": []}, {"SessionAuth": []}], (path, method)
            assert "401" in op["responses"], (path, method)
            assert op["operationId"], (path, method)
    assert {"201", "401", "403", "404", "422"} <= set(doc["paths"]["/api/pupils"]["post"]["responses"])
    create = doc["paths"]["/api/requests"]["post"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(create["responses"])
    assert "multipart/form-data" in create["requestBody"]["content"]
    form = create["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"type": "string", "format": "binary"} in form["properties"]["authority"]["anyOf"]
    assert {"409", "422"} <= set(doc["paths"]["/api/requests/{request_id}/transition"]["post"]["responses"])
    for ref in _refs(doc):
        _resolve(doc, ref)  # every $ref points at a schema in the document


def test_error_schema_is_documented() -> None:
    doc = Client().get("/api/openapi.json").json()
    error = doc["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"detail", "errors"}
    field_error = doc["components"]["schemas"]["FieldErrorOut"]
    assert set(field_error["properties"]) == {"field", "messages", "codes"}


def test_docs_page_is_served() -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert b"/api/openapi.json" in response.content
