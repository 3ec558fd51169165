"""The framework registry: frameworks, their versions, and the content of each version."""

from frameworks.models.content import Provision, Question, Section
from frameworks.models.guards import FrozenContentError
from frameworks.models.versions import NEWEST_FIRST, Framework, FrameworkVersion, Source

__all__ = [
    "Framework",
    "FrameworkVersion",
    "NEWEST_FIRST",
    "FrozenContentError",
    "Provision",
    "Question",
    "Section",
    "Source",
]
