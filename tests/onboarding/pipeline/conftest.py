import pytest

from onboarding import gates
from onboarding.hooks.vetting import vetting_gate


@pytest.fixture(autouse=True)
def only_vetting_gate(monkeypatch):
    """The pipeline's tests judge the pipeline and vetting's own gate; the other areas' gates (interviews,
    training, documents, ramp) are theirs to test, so they are set aside here."""
    monkeypatch.setattr(gates, "GATES", {"interviewing": [("vetting", vetting_gate)]})
