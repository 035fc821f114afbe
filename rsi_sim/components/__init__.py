"""Composable model parts. Each file is one component; REGISTRY maps scenario keys to classes
(users add their own with :func:`rsi_sim.register_component`, see :mod:`rsi_sim.plugins`)."""

from __future__ import annotations

from types import MappingProxyType

from ..core import Component
from .alignment import Alignment
from .capability import Capability
from .compute import Compute
from .generations import Generation, Generations
from .horizon_trend import HorizonTrend
from .jones import JonesResearch
from .judgment import Judgment
from .labour import Labour
from .milestone_ladder import MilestoneLadder
from .milestones import Milestones
from .research import Research
from .software import Software
from .software_doublings import SoftwareDoublings

#: Components a scenario may name under ``components:`` (milestones come from ``milestones:``).
REGISTRY: dict[str, type[Component]] = {
    cls.name: cls for cls in (
        # the RSI model
        Compute, Labour, Software, Research, Judgment, Generations, Capability, Alignment,
        # published models (REFERENCE A and C)
        JonesResearch, MilestoneLadder, SoftwareDoublings, HorizonTrend,
    )
}

#: The components rsi_sim ships, whatever users register later (rsi_sim.register_component).
SHIPPED = MappingProxyType(dict(REGISTRY))

__all__ = ["REGISTRY", "SHIPPED", "Alignment", "Capability", "Compute", "Generation", "Generations",
           "HorizonTrend", "JonesResearch", "Judgment", "Labour", "MilestoneLadder", "Milestones",
           "Research", "Software", "SoftwareDoublings"]
