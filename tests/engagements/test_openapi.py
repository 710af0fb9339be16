"""The OpenAPI schema describes every endpoint faithfully, and the docs pages work with no internet access."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PUBLIC_OPERATIONS = [
    ("get", "/api/v1/me/"),
    ("get", "/api/v1/service-lines/"),
    ("get", "/api/v1/service-lines/{code}/"),
    *[
        (method, path)
        for resource in ("practices", "providers", "engagements", "agents")
        for method, path in [
            ("get", f"/api/v1/{resource}/"),
            ("post", f"/api/v1/{resource}/"),
            ("get", f"/api/v1/{resource}/{{id}}/"),
            ("put", f"/api/v1/{resource}/{{id}}/"),
            ("patch", f"/api/v1/{resource}/{{id}}/"),
            ("delete", f"/api/v1/{resource}/{{id}}/"),
        ]
    ],
    ("post", "/api/v1/engagements/{id}/status/"),
    ("get", "/api/v1/engagements/{id}/history/"),
    ("get", "/api/v1/engagements/{id}/contract/"),
    ("put", "/api/v1/engagements/{id}/contract/"),
    ("patch", "/api/v1/engagements/{id}/contract/"),
    ("get", "/api/v1/engagements/{id}/agents/"),
    ("post", "/api/v1/engagements/{id}/agents/"),
    ("delete", "/api/v1/engagements/{id}/agents/{agent_id}/"),
    ("get", "/api/v1/engagements/{id}/costs/"),
    ("get", "/api/v1/engagements/{id}/termination-eligibility/"),
    # The SLA engine
    ("get", "/api/v1/metrics/"),
    ("get", "/api/v1/metrics/{code}/"),
    *[
        (method, f"/api/v1/{resource}/{suffix}")
        for resource in (
            "sla-targets",
            "measurements",
            "ingest-batches",
            "measurement-corrections",
            "kpis",
            "breaches",
            "remediation-plans",
        )
        for method, suffix in [("get", ""), ("get", "{id}/")]
    ],
    ("post", "/api/v1/sla-targets/"),
    ("put", "/api/v1/sla-targets/{id}/"),
    ("patch", "/api/v1/sla-targets/{id}/"),
    ("delete", "/api/v1/sla-targets/{id}/"),
    ("post", "/api/v1/measurements/"),
    ("post", "/api/v1/remediation-plans/"),
    ("post", "/api/v1/remediation-plans/{id}/decision/"),
    ("post", "/api/v1/remediation-plans/{id}/done/"),
    ("post", "/api/v1/remediation-plans/{id}/close/"),
    # Contract terms
    ("get", "/api/v1/contracts/"),
    ("post", "/api/v1/contracts/"),
    ("get", "/api/v1/contracts/{id}/"),
    ("put", "/api/v1/contracts/{id}/"),
    ("patch", "/api/v1/contracts/{id}/"),
    ("get", "/api/v1/contracts/{id}/termination-eligibility/"),
    ("get", "/api/v1/checkpoints/"),
    ("get", "/api/v1/checkpoints/{id}/"),
    ("post", "/api/v1/checkpoints/{id}/outcome/"),
    ("get", "/api/v1/notifications/"),
    ("get", "/api/v1/notifications/{id}/"),
    ("post", "/api/v1/notifications/read/"),
    # The phased transition
    *[
        (method, f"/api/v1/{resource}/{suffix}")
        for resource in ("transition-phases", "gate-criteria", "milestones")
        for method, suffix in [
            ("get", ""),
            ("post", ""),
            ("get", "{id}/"),
            ("put", "{id}/"),
            ("patch", "{id}/"),
            ("delete", "{id}/"),
        ]
    ],
    ("get", "/api/v1/transition-phases/{id}/gate/"),
    ("post", "/api/v1/transition-phases/{id}/gate-decision/"),
    ("get", "/api/v1/transition-phases/{id}/decisions/"),
    ("post", "/api/v1/transition-phases/start/"),
    ("post", "/api/v1/transition-phases/standard-plan/"),
    ("post", "/api/v1/milestones/{id}/done/"),
    # Scope, pricing, fees, credits and costs
    *[
        (method, f"/api/v1/{resource}/{suffix}")
        for resource in ("contract-scope", "volume-tiers", "one-off-fees")
        for method, suffix in [
            ("get", ""),
            ("post", ""),
            ("get", "{id}/"),
            ("put", "{id}/"),
            ("patch", "{id}/"),
            ("delete", "{id}/"),
        ]
    ],
    ("get", "/api/v1/contract-pricing/"),
    ("get", "/api/v1/contract-pricing/{id}/"),
    ("put", "/api/v1/contract-pricing/{id}/"),
    ("patch", "/api/v1/contract-pricing/{id}/"),
    ("get", "/api/v1/service-credits/"),
    ("get", "/api/v1/service-credits/{id}/"),
    ("get", "/api/v1/costs/{id}/"),
    # Change requests and contract versions
    ("get", "/api/v1/change-requests/"),
    ("post", "/api/v1/change-requests/"),
    ("get", "/api/v1/change-requests/{id}/"),
    ("post", "/api/v1/change-requests/{id}/approve/"),
    ("post", "/api/v1/change-requests/{id}/reject/"),
    ("post", "/api/v1/change-requests/{id}/withdraw/"),
    ("get", "/api/v1/contract-versions/"),
    ("get", "/api/v1/contract-versions/{id}/"),
    # Provider due diligence
    *[
        (method, f"/api/v1/certifications/{suffix}")
        for method, suffix in [
            ("get", ""),
            ("post", ""),
            ("get", "{id}/"),
            ("put", "{id}/"),
            ("patch", "{id}/"),
            ("delete", "{id}/"),
        ]
    ],
    ("get", "/api/v1/due-diligence-reviews/"),
    ("post", "/api/v1/due-diligence-reviews/"),
    ("get", "/api/v1/due-diligence-reviews/{id}/"),
    ("patch", "/api/v1/due-diligence-reviews/{id}/"),
    ("post", "/api/v1/due-diligence-reviews/{id}/decision/"),
    # Communication and escalation.
    *[
        (method, path)
        for resource in ("contacts", "escalation-levels", "meeting-cadences", "meetings", "action-items")
        for method, path in [
            ("get", f"/api/v1/{resource}/"),
            ("post", f"/api/v1/{resource}/"),
            ("get", f"/api/v1/{resource}/{{id}}/"),
            ("put", f"/api/v1/{resource}/{{id}}/"),
            ("patch", f"/api/v1/{resource}/{{id}}/"),
            ("delete", f"/api/v1/{resource}/{{id}}/"),
        ]
    ],
    ("post", "/api/v1/action-items/{id}/done/"),
    ("get", "/api/v1/feedback/"),
    ("post", "/api/v1/feedback/"),
    ("get", "/api/v1/feedback/{id}/"),
    ("get", "/api/v1/reminders/"),
    ("get", "/api/v1/reminders/{id}/"),
    # Webhooks
    ("get", "/api/v1/webhook-event-types/"),
    ("get", "/api/v1/webhook-endpoints/"),
    ("post", "/api/v1/webhook-endpoints/"),
    ("get", "/api/v1/webhook-endpoints/{id}/"),
    ("patch", "/api/v1/webhook-endpoints/{id}/"),
    ("delete", "/api/v1/webhook-endpoints/{id}/"),
    ("get", "/api/v1/webhook-endpoints/{id}/deliveries/"),
    ("get", "/api/v1/webhook-deliveries/"),
    ("get", "/api/v1/webhook-deliveries/{id}/"),
    ("post", "/api/v1/webhook-deliveries/{id}/redeliver/"),
    # -- quality audits --
    *[
        (method, path)
        for resource in ("scorecards", "audits")
        for method, path in [
            ("get", f"/api/v1/{resource}/"),
            ("post", f"/api/v1/{resource}/"),
            ("get", f"/api/v1/{resource}/{{id}}/"),
            ("put", f"/api/v1/{resource}/{{id}}/"),
            ("patch", f"/api/v1/{resource}/{{id}}/"),
            ("delete", f"/api/v1/{resource}/{{id}}/"),
        ]
    ],
    ("get", "/api/v1/scorecards/{id}/versions/"),
    ("put", "/api/v1/scorecards/{id}/draft/"),
    ("post", "/api/v1/scorecards/{id}/publish/"),
    ("post", "/api/v1/scorecards/{id}/new-draft/"),
    ("post", "/api/v1/audits/{id}/submit/"),
    ("post", "/api/v1/audits/{id}/acknowledge/"),
    ("get", "/api/v1/disputes/"),
    ("post", "/api/v1/disputes/"),
    ("get", "/api/v1/disputes/{id}/"),
    ("post", "/api/v1/disputes/{id}/decide/"),
    # Provider compliance audits (the audits app).
    ("get", "/api/v1/compliance-audits/"),
    ("post", "/api/v1/compliance-audits/"),
    ("get", "/api/v1/compliance-audits/{id}/"),
    ("post", "/api/v1/compliance-audits/{id}/results/"),
    ("post", "/api/v1/compliance-audits/{id}/evidence/"),
    ("post", "/api/v1/compliance-audits/{id}/complete/"),
    *[
        (method, f"/api/v1/{resource}/{suffix}")
        for resource in ("findings", "corrective-actions", "compliance-schedules")
        for method, suffix in [("get", ""), ("post", ""), ("get", "{id}/"), ("patch", "{id}/")]
    ],
    ("post", "/api/v1/findings/{id}/respond/"),
    ("post", "/api/v1/findings/{id}/close/"),
    ("post", "/api/v1/corrective-actions/{id}/close/"),
    # Calibration, action plans, sampling (the audits app).
    ("get", "/api/v1/action-plans/"),
    ("get", "/api/v1/action-plans/{id}/"),
    ("get", "/api/v1/audit-assignments/"),
    ("get", "/api/v1/audit-assignments/{id}/"),
    ("get", "/api/v1/calibration-sessions/"),
    ("get", "/api/v1/calibration-sessions/{id}/"),
    ("get", "/api/v1/calibration-sessions/{id}/report/"),
    ("get", "/api/v1/sampling-policies/"),
    ("get", "/api/v1/sampling-policies/{id}/"),
    ("get", "/api/v1/sampling-policies/{id}/bands/"),
    ("patch", "/api/v1/action-plans/{id}/"),
    ("patch", "/api/v1/sampling-policies/{id}/"),
    ("post", "/api/v1/action-plans/"),
    ("post", "/api/v1/action-plans/{id}/cancel/"),
    ("post", "/api/v1/action-plans/{id}/escalate/"),
    ("post", "/api/v1/action-plans/{id}/item-done/"),
    ("post", "/api/v1/audit-assignments/{id}/complete/"),
    ("post", "/api/v1/calibration-sessions/"),
    ("post", "/api/v1/calibration-sessions/{id}/close/"),
    ("post", "/api/v1/calibration-sessions/{id}/scores/"),
    ("post", "/api/v1/sampling-policies/"),
    ("post", "/api/v1/sampling-policies/{id}/schedule/"),
    # onboarding (issue 10)
    ("get", "/api/v1/curricula/"),
    ("get", "/api/v1/curricula/{id}/"),
    ("post", "/api/v1/curricula/{id}/items/"),
    ("get", "/api/v1/training-completions/"),
    ("post", "/api/v1/training-completions/"),
    ("get", "/api/v1/training-completions/{id}/"),
    ("get", "/api/v1/training-modules/"),
    ("post", "/api/v1/training-modules/"),
    ("get", "/api/v1/training-modules/{id}/"),
    ("patch", "/api/v1/training-modules/{id}/"),
    ("put", "/api/v1/training-modules/{id}/"),
    ("get", "/api/v1/acknowledgements/"),
    ("post", "/api/v1/acknowledgements/"),
    ("get", "/api/v1/acknowledgements/{id}/"),
    ("get", "/api/v1/business-associate-agreements/"),
    ("post", "/api/v1/business-associate-agreements/"),
    ("get", "/api/v1/business-associate-agreements/{id}/"),
    ("get", "/api/v1/policy-documents/"),
    ("post", "/api/v1/policy-documents/"),
    ("get", "/api/v1/policy-documents/{id}/"),
    ("post", "/api/v1/policy-documents/{id}/versions/"),
    ("get", "/api/v1/agents/{id}/ramp/"),
    ("get", "/api/v1/agents/{id}/responsibilities/"),
    ("post", "/api/v1/agents/{id}/stage/"),
    ("get", "/api/v1/assessments/"),
    ("post", "/api/v1/assessments/"),
    ("get", "/api/v1/assessments/{id}/"),
    ("get", "/api/v1/hiring-profiles/"),
    ("get", "/api/v1/hiring-profiles/{id}/"),
    ("get", "/api/v1/interview-feedback/"),
    ("post", "/api/v1/interview-feedback/"),
    ("get", "/api/v1/interview-feedback/{id}/"),
    ("get", "/api/v1/interview-rounds/"),
    ("post", "/api/v1/interview-rounds/"),
    ("delete", "/api/v1/interview-rounds/{id}/"),
    ("get", "/api/v1/interview-rounds/{id}/"),
    ("patch", "/api/v1/interview-rounds/{id}/"),
    ("put", "/api/v1/interview-rounds/{id}/"),
    ("get", "/api/v1/interviews/"),
    ("post", "/api/v1/interviews/"),
    ("get", "/api/v1/interviews/{id}/"),
    ("post", "/api/v1/interviews/{id}/override/"),
    ("get", "/api/v1/ladders/"),
    ("get", "/api/v1/ladders/{id}/"),
    ("get", "/api/v1/onboardings/"),
    ("post", "/api/v1/onboardings/"),
    ("get", "/api/v1/onboardings/{id}/"),
    ("get", "/api/v1/ramp-plans/"),
    ("post", "/api/v1/ramp-plans/"),
    ("delete", "/api/v1/ramp-plans/{id}/"),
    ("get", "/api/v1/ramp-plans/{id}/"),
    ("patch", "/api/v1/ramp-plans/{id}/"),
    ("put", "/api/v1/ramp-plans/{id}/"),
    ("get", "/api/v1/responsibilities/"),
    ("post", "/api/v1/responsibilities/"),
    ("get", "/api/v1/responsibilities/{id}/"),
    ("post", "/api/v1/responsibilities/{id}/reinstate/"),
    ("post", "/api/v1/responsibilities/{id}/revoke/"),
    ("get", "/api/v1/routing/"),
]


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    """Generated once by the management command, failing on any warning, as CI and client generators would."""
    path = tmp_path_factory.mktemp("openapi") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def operation(schema, method, path):
    return schema["paths"][path][method]


def body_schema(part):
    return part["content"]["application/json"]["schema"]


def component(schema, ref):
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_the_schema_validates_without_a_single_warning(schema):
    assert schema["info"]["title"] == "BPO Portal API"


def test_every_public_endpoint_is_in_the_schema_and_nothing_else(schema):
    documented = {(method, path) for path, item in schema["paths"].items() for method in item if method != "parameters"}

    assert documented == set(PUBLIC_OPERATIONS)


def test_every_operation_requires_the_token_or_a_session(schema):
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    for method, path in PUBLIC_OPERATIONS:
        schemes = {name for requirement in operation(schema, method, path)["security"] for name in requirement}
        assert schemes == {"tokenAuth", "cookieAuth"}, (method, path)


def test_the_status_action_documents_its_request_and_its_response(schema):
    status = operation(schema, "post", "/api/v1/engagements/{id}/status/")

    request = component(schema, body_schema(status["requestBody"]))
    assert set(request["properties"]) == {"status", "note"}
    assert request["required"] == ["status"]
    assert body_schema(status["responses"]["200"]) == {"$ref": "#/components/schemas/Engagement"}
    assert {"400", "403", "404"} <= set(status["responses"])


def test_the_contract_and_agent_actions_document_their_bodies(schema):
    put = operation(schema, "put", "/api/v1/engagements/{id}/contract/")
    assert body_schema(put["requestBody"]) == {"$ref": "#/components/schemas/ContractRequest"}
    assert body_schema(put["responses"]["201"]) == {"$ref": "#/components/schemas/Contract"}
    patch = operation(schema, "patch", "/api/v1/engagements/{id}/contract/")
    assert body_schema(patch["requestBody"]) == {"$ref": "#/components/schemas/PatchedContractRequest"}

    assign = operation(schema, "post", "/api/v1/engagements/{id}/agents/")
    assert component(schema, body_schema(assign["requestBody"]))["required"] == ["agent"]
    unassign = operation(schema, "delete", "/api/v1/engagements/{id}/agents/{agent_id}/")
    assert {p["name"]: p["schema"]["type"] for p in unassign["parameters"]} == {"id": "integer", "agent_id": "integer"}

    history = operation(schema, "get", "/api/v1/engagements/{id}/history/")
    assert body_schema(history["responses"]["200"])["items"] == {"$ref": "#/components/schemas/EngagementStatusChange"}


def test_engagement_status_is_read_only_and_parties_are_written_by_id_and_read_as_summaries(schema):
    components = schema["components"]["schemas"]

    assert "status" not in components["EngagementRequest"]["properties"]
    assert components["EngagementRequest"]["properties"]["practice"]["type"] == "integer"
    assert components["Engagement"]["properties"]["practice"]["allOf"] == [
        {"$ref": "#/components/schemas/PracticeSummary"}
    ]
    assert set(components["PracticeSummary"]["properties"]) == {"id", "url", "name"}
    assert components["EngagementStatusEnum"]["enum"] == [
        "vetting",
        "contracting",
        "transitioning",
        "steady",
        "offboarding",
        "ended",
    ]


def test_lists_document_their_filters_ordering_and_pages(schema):
    parameters = {p["name"] for p in operation(schema, "get", "/api/v1/engagements/")["parameters"]}

    assert {"q", "status", "practice", "provider", "service_line", "ordering", "page", "page_size"} <= parameters
    listing = body_schema(operation(schema, "get", "/api/v1/engagements/")["responses"]["200"])
    assert listing == {"$ref": "#/components/schemas/PaginatedEngagementList"}


# --- Served pages -----------------------------------------------------------------------------------------------------


def test_the_schema_is_served_to_anyone():
    response = APIClient().get(reverse("api-schema"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert b"/api/v1/engagements/{id}/status/" in response.content


@pytest.mark.parametrize("name", ["api-docs", "api-redoc"])
def test_the_docs_pages_load_every_asset_from_our_own_static_files(name):
    response = APIClient().get(reverse(name))
    html = response.content.decode()

    assert response.status_code == 200
    assert not re.search(r"https?://|//cdn|unpkg|jsdelivr|googleapis", html), "the docs must work offline"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "expected the page to load the sidecar's assets"
    for asset in assets:
        if asset.startswith(reverse(name) + "?"):
            continue  # the Swagger page's start-up script, served by the docs view (no inline script: CSP)
        assert asset.startswith(("/static/drf_spectacular_sidecar/", "/static/css/")), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not among the static files"
    if name == "api-docs":
        html += APIClient().get(reverse(name), {"script": ""}).content.decode()  # where Swagger reads the schema
    assert reverse("api-schema") in html
    # The bundles' own references outside (ReDoc's Redocly logo) are never fetched: the page forbids it.
    assert "img-src 'self'" in response["Content-Security-Policy"]
    assert "connect-src 'self'" in response["Content-Security-Policy"]


def test_measurement_ingestion_documents_json_and_csv_and_every_refusal(schema):
    ingest = operation(schema, "post", "/api/v1/measurements/")
    assert set(ingest["requestBody"]["content"]) == {"application/json"}
    assert "text/csv" in ingest["description"]  # the CSV alternative, described for people
    assert {"201", "400", "409", "413"} <= set(ingest["responses"])
    assert "corrections" in {parameter["name"] for parameter in ingest["parameters"]}


def test_kpi_and_breach_lists_filter_by_engagement_metric_period_and_status(schema):
    for path in ("/api/v1/kpis/", "/api/v1/breaches/"):
        names = {parameter["name"] for parameter in operation(schema, "get", path)["parameters"]}
        assert {"engagement", "metric", "period", "status"} <= names, path
