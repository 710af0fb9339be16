"""Onboarding's data. Each area has its own module and lists its models in that module's __all__."""

from onboarding.models.acknowledgements import *  # noqa: F403
from onboarding.models.interviews import *  # noqa: F403
from onboarding.models.pipeline import *  # noqa: F403
from onboarding.models.ramp import *  # noqa: F403
from onboarding.models.responsibilities import *  # noqa: F403
from onboarding.models.training import *  # noqa: F403
from onboarding.models.training_content import *  # noqa: F403
from onboarding.models.vetting import *  # noqa: F403
