"""Open data v1: the plan as JSON, and JSON errors for bad requests."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from domain.plan_spec import PlanSpec


def test_the_plan_api_has_exactly_the_documents_contents(
    client: FlaskClient, plan_spec: PlanSpec
) -> None:
    response = client.get("/api/v1/plans/2023")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["document"]["number"] == "锡政发〔2023〕5号"
    assert data["counts"] == {
        "categories": 10,
        "items": 60,
        "projects": 118,
        "key_projects": 10,
        "key_project_projects": 42,
    }
    assert [c["name"] for c in data["categories"]] == [c.name for c in plan_spec.categories]
    assert [(i["number"], i["category"], i["text"], i["units"]) for i in data["items"]] == [
        (i.number, i.category, i.text, list(i.units)) for i in plan_spec.items
    ]
    assert [(p["ref"], p["item"], p["title"]) for p in data["projects"]] == [
        (p.number, p.item_number, p.title) for p in plan_spec.projects
    ]
    assert [
        [(t["label"], t["amount"], t["unit"], t["at_least"]) for t in p["targets"]]
        for p in data["projects"]
    ] == [
        [(t.label, str(t.amount), t.unit, t.at_least) for t in p.targets]
        for p in plan_spec.projects
    ]
    assert [
        (k["number"], k["name"], k["leaders"], k["units"], k["projects"])
        for k in data["key_projects"]
    ] == [
        (k.number, k.name, list(k.leaders), list(k.units), list(k.projects))
        for k in plan_spec.key_projects
    ]


def test_amounts_keep_their_decimals_and_the_万(client: FlaskClient) -> None:
    projects = {p["ref"]: p for p in client.get("/api/v1/plans/2023").get_json()["projects"]}
    assert projects["10.1"]["targets"][0] | {"label": None} == {
        "label": None,
        "amount": "3.05",
        "unit": "万套(间)",
        "at_least": False,
    }
    assert projects["8.1"]["targets"][0]["unit"] == "万平方米"


def test_the_plan_list_links_each_year(client: FlaskClient) -> None:
    assert client.get("/api/v1/plans").get_json() == {
        "plans": [{"year": 2023, "url": "http://localhost/api/v1/plans/2023"}]
    }


@pytest.mark.parametrize(
    "url, status",
    [
        ("/api/v1/plans/2022", 404),
        ("/api/v1/plans/abc", 404),
        ("/api/v1/nothing", 404),
        ("/api/v2/plans/2023", 404),
        ("/api/v1/plans/99999999999999999999999", 404),
    ],
)
def test_bad_api_requests_get_json_errors(client: FlaskClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["status"] == status


def test_open_data_can_be_read_from_any_site(client: FlaskClient) -> None:
    assert client.get("/api/v1/plans/2023").headers["Access-Control-Allow-Origin"] == "*"


def test_health_reports_how_far_each_read_model_is_behind_the_log(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "log_head": 71,
        "max_behind": 1000,
        "read_models": {
            name: {"position": 71, "behind": 0, "state": "ok"}
            for name in (
                "access_log",
                "awards",
                "candidates",
                "cases",
                "catalog",
                "cycle_proposals",
                "plan_amendments",
                "progress",
                "public_log",
                "report_photos",
                "satisfaction",
                "search",
                "staff",
                "store_chain",
                "supervision",
            )
        },
    }


def test_wrong_method_is_a_json_405(client: FlaskClient) -> None:
    response = client.post("/api/v1/plans/2023")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
