import pytest

from tests.audits.helpers import published_scorecard


@pytest.fixture
def version(world):
    """A published front-office-like scorecard version on the home engagement (pass mark 80)."""
    return published_scorecard(world.engagement, world.provider_manager)
