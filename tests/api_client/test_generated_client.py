"""An integrator's day, through a client generated from the live schema by openapi-python-client.

The client is generated from the schema the live server serves, every generated module must import, and the flow
below — read targets, push measurements, duplicates, a correction, wait for the breach, remediation back and
forth between both sides, costs, termination eligibility and the error paths — runs through it as the provider's
integration token, its account manager and the practice manager. The client raises on any status the schema does
not document, and its models raise on any body they cannot parse, so a schema that lies fails here.
"""

import datetime
import importlib
import pkgutil
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal

import pytest

from engagements import services as engagement_services
from engagements.choices import TokenKind

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "bpo_api_client"
DAY = datetime.date(2025, 3, 3)  # in a closed month for every practice's time zone


@pytest.fixture(scope="module")
def generated(live_server, tmp_path_factory, django_db_blocker):
    """The client package, generated from the live schema into a temporary folder and put on the path."""
    folder = tmp_path_factory.mktemp("client")
    config = folder / "config.yml"
    config.write_text("post_hooks: []\n")  # no formatter run: what is generated is what is tested
    generator = [sys.executable, "-m", "openapi_python_client"]
    schema = folder / "schema.yaml"
    # Fetched here rather than by the generator, whose 5-second timeout a busy CI machine can exceed; the live
    # server reads the catalogues while it builds the schema.
    url = f"{live_server.url}/api/v1/schema/"
    with django_db_blocker.unblock(), urllib.request.urlopen(url, timeout=120) as served:
        schema.write_bytes(served.read())
    run = subprocess.run(
        [*generator, "generate", "--path", str(schema), "--meta", "none"]
        + ["--output-path", str(folder / PACKAGE), "--config", str(config), "--fail-on-warning"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, f"openapi-python-client failed:\n{run.stdout}\n{run.stderr}"
    sys.path.insert(0, str(folder))
    yield importlib.import_module(PACKAGE)
    sys.path.remove(str(folder))
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def api(module: str):
    return importlib.import_module(f"{PACKAGE}.api.{module}")


def model(name: str):
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


def test_every_generated_module_imports(generated):
    names = [info.name for info in pkgutil.walk_packages(generated.__path__, f"{PACKAGE}.")]
    failures = {}
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as error:  # noqa: BLE001 - every failure is reported, not only the first
            failures[name] = repr(error)

    assert len(names) > 300
    assert not failures


@pytest.fixture
def clients(generated, live_server, world):
    def client(raw_token):
        return generated.AuthenticatedClient(
            base_url=live_server.url, token=raw_token, prefix="Token", raise_on_unexpected_status=True
        )

    def personal(user):
        _, raw = engagement_services.create_api_token(name="client", kind=TokenKind.PERSONAL, by=user)
        return client(raw)

    return {
        "integration": client(world.integration_raw_token),
        "account_manager": personal(world.provider_manager),
        "practice_manager": personal(world.practice_manager),
        "bad_token": client("bpo_00000000_not-a-real-token"),
    }


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.parsed


def refused(response, status, code):
    error = response.parsed
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert isinstance(error, model("Error")), type(error)
    assert error.code == code, error.to_dict()
    assert isinstance(error.detail, str) and error.detail
    return error


def rows(engagement_id, numerator, external_id="feed-2025-03-03"):
    row = {"engagement": engagement_id, "metric": "service_level", "date": DAY.isoformat()}
    row.update({"numerator": str(numerator), "denominator": "10", "external_id": external_id})
    return [model("MeasurementRowRequest").from_dict(row)]


def wait_for_breach(client, engagement_id, attempts=50):
    """KPIs are recomputed after the batch commits (by a worker in production): poll, as an integrator would."""
    for _ in range(attempts):
        page = ok(api("breaches.breaches_list").sync_detailed(client=client, engagement=engagement_id))
        if page.results:
            return page.results[0]
        time.sleep(0.1)
    raise AssertionError("no breach appeared")


def test_an_integrators_flow_runs_through_the_generated_client(clients, world):
    integration, provider, practice = clients["integration"], clients["account_manager"], clients["practice_manager"]
    engagement_id = world.engagement.pk

    # The practice agrees the contract and a 90% service-level target; everyone reads the targets.
    contract = ok(
        api("engagements.engagements_contract_update").sync_detailed(
            engagement_id,
            client=practice,
            body=model("ContractRequest").from_dict({"starts_on": "2025-01-01", "ends_on": "2026-12-31"}),
        ),
        201,
    )
    assert contract.id
    target = model("SLATargetRequest").from_dict(
        {"engagement": engagement_id, "metric": "service_level", "threshold": "90", "effective_from": "2024-01-01"}
    )
    created = ok(api("sla_targets.sla_targets_create").sync_detailed(client=practice, body=target), 201)
    listed = ok(api("sla_targets.sla_targets_list").sync_detailed(client=integration))
    assert [t.id for t in listed.results] == [created.id]

    # The provider's feed pushes a day at 50%; the same batch again is all duplicates.
    create = api("measurements.measurements_create")
    first = ok(create.sync_detailed(client=integration, body=rows(engagement_id, 5)), 201)
    assert (first.created, first.duplicates, first.corrected) == (1, 0, 0)
    again = ok(create.sync_detailed(client=integration, body=rows(engagement_id, 5)), 201)
    assert (again.created, again.duplicates) == (0, 1)

    # A changed value needs corrections=true; refused, it names the row, the field and why.
    changed = refused(create.sync_detailed(client=integration, body=rows(engagement_id, 6)), 400, "ingest_rejected")
    assert [(e.row, e.field, e.code) for e in changed.errors] == [(1, "external_id", "changed")]
    corrected = ok(create.sync_detailed(client=integration, body=rows(engagement_id, 6), corrections=True), 201)
    assert corrected.corrected == 1

    # The breach appears once the batch is recomputed; both sides see it.
    breach = wait_for_breach(integration, engagement_id)
    assert (breach.severity.value, Decimal(breach.value)) == ("breach", Decimal("60.0000"))
    assert ok(api("breaches.breaches_retrieve").sync_detailed(breach.id, client=practice)).id == breach.id

    # Remediation, back and forth: proposed, rejected with a reason, proposed again, accepted, done, closed.
    due = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()
    plan_body = {"breach": breach.id, "actions": "Two more agents at peak hours", "owner": "Bea", "due_on": due}
    create_plan = api("remediation_plans.remediation_plans_create")
    decide = api("remediation_plans.remediation_plans_decision_create")
    decision = model("RemediationDecisionRequest")
    refused(
        create_plan.sync_detailed(client=practice, body=model("RemediationPlanRequest").from_dict(plan_body)),
        403,
        "forbidden",
    )
    first_plan = ok(
        create_plan.sync_detailed(client=provider, body=model("RemediationPlanRequest").from_dict(plan_body)), 201
    )
    refused(decide.sync_detailed(first_plan.id, client=practice, body=decision(accept=False)), 400, "validation_failed")
    rejected = ok(decide.sync_detailed(first_plan.id, client=practice, body=decision(accept=False, note="Too vague")))
    assert rejected.status.value == "rejected"
    plan_body["actions"] = "Two more agents at peak hours from 7 to 10, and a daily call-back list"
    second = ok(
        create_plan.sync_detailed(client=provider, body=model("RemediationPlanRequest").from_dict(plan_body)), 201
    )
    accepted = ok(decide.sync_detailed(second.id, client=practice, body=decision(accept=True, note="Go ahead")))
    assert accepted.status.value == "accepted"
    done = api("remediation_plans.remediation_plans_done_create")
    close = api("remediation_plans.remediation_plans_close_create")
    refused(close.sync_detailed(second.id, client=practice), 400, "validation_failed")  # not reported done yet
    assert ok(done.sync_detailed(second.id, client=provider)).status.value == "done"
    assert ok(close.sync_detailed(second.id, client=practice)).status.value == "closed"

    # Costs and termination eligibility, from the engagement; the provider never sees the in-house baseline.
    report = ok(api("engagements.engagements_costs_retrieve").sync_detailed(engagement_id, client=practice))
    provider_report = ok(api("engagements.engagements_costs_retrieve").sync_detailed(engagement_id, client=provider))
    assert report.contract == contract.id and report.months
    assert report.months[0].in_house is not None
    assert provider_report.months[0].in_house is None
    eligibility = ok(
        api("engagements.engagements_termination_eligibility_retrieve").sync_detailed(engagement_id, client=practice)
    )
    alias = ok(api("contracts.contracts_termination_eligibility_retrieve").sync_detailed(contract.id, client=practice))
    assert eligibility.to_dict() == alias.to_dict()

    # Error paths, each in the one error object.
    refused(
        api("engagements.engagements_retrieve").sync_detailed(world.other_engagement.pk, client=provider),
        404,
        "not_found",
    )
    refused(api("me.me_retrieve").sync_detailed(client=clients["bad_token"]), 401, "authentication_failed")
    bad_target = model("SLATargetRequest").from_dict({**target.to_dict(), "threshold": "abc"})
    invalid = refused(
        api("sla_targets.sla_targets_create").sync_detailed(client=practice, body=bad_target),
        400,
        "validation_failed",
    )
    assert invalid.errors[0].field == "threshold"
    refused(api("kpis.kpis_list").sync_detailed(client=integration, page=99), 404, "not_found")
    refused(api("kpis.kpis_list").sync_detailed(client=integration, page_size=0), 400, "validation_failed")
