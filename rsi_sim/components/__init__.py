"""Composable model parts. Each file is one component; REGISTRY maps scenario keys to classes
(users add their own with :func:`rsi_sim.register_component`, see :mod:`rsi_sim.plugins`)."""

from __future__ import annotations

from types import MappingProxyType

from ..core import Component
from .alignment import Alignment
from .capability import Capability
from .compute import Compute
from .diffusion import AlgorithmicDiffusion
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
from .weight_theft import WeightTheft

#: Components a scenario may name under ``components:`` (milestones come from ``milestones:``).
REGISTRY: dict[str, type[Component]] = {
    cls.name: cls for cls in (
        # the RSI model
        Compute, Labour, Software, Research, Judgment, Generations, Capability, Alignment,
        # published models (REFERENCE A and C)
        JonesResearch, MilestoneLadder, SoftwareDoublings, HorizonTrend,
    )
}

#: Mechanisms between actors a scenario may name under ``interactions:`` (docs/actors.md).
INTERACTIONS = MappingProxyType({cls.name: cls for cls in (AlgorithmicDiffusion, WeightTheft)})

#: The components rsi_sim ships, whatever users register later (rsi_sim.register_component).
SHIPPED = MappingProxyType(dict(REGISTRY))

__all__ = ["INTERACTIONS", "REGISTRY", "SHIPPED", "AlgorithmicDiffusion", "Alignment", "Capability", "Compute", "Generation", "Generations",
           "HorizonTrend", "JonesResearch", "Judgment", "Labour", "MilestoneLadder", "Milestones",
           "Research", "Software", "SoftwareDoublings", "WeightTheft"]
