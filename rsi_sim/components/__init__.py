"""Composable model parts. Each file is one component; REGISTRY maps scenario keys to classes."""

from __future__ import annotations

from ..core import Component
from .alignment import Alignment
from .capability import Capability
from .compute import Compute
from .generations import Generation, Generations
from .jones import JonesResearch
from .judgment import Judgment
from .labour import Labour
from .milestones import Milestones
from .research import Research
from .software import Software

#: Components a scenario may name under ``components:`` (milestones come from ``milestones:``).
REGISTRY: dict[str, type[Component]] = {
    cls.name: cls for cls in (JonesResearch, Compute, Labour, Software, Research, Judgment,
                              Generations, Capability, Alignment)
}

__all__ = ["REGISTRY", "Alignment", "Capability", "Compute", "Generation", "Generations",
           "JonesResearch", "Judgment", "Labour", "Milestones", "Research", "Software"]
