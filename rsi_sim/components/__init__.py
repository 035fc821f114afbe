"""Composable model parts. Each file is one component; REGISTRY maps scenario keys to classes."""

from __future__ import annotations

from ..core import Component
from .horizon_trend import HorizonTrend
from .jones import JonesResearch
from .milestone_ladder import MilestoneLadder
from .milestones import Milestones
from .software_doublings import SoftwareDoublings

#: Components a scenario may name under ``components:`` (milestones come from ``milestones:``).
REGISTRY: dict[str, type[Component]] = {
    cls.name: cls for cls in (JonesResearch, MilestoneLadder, SoftwareDoublings, HorizonTrend)
}

__all__ = ["REGISTRY", "HorizonTrend", "JonesResearch", "MilestoneLadder", "Milestones",
           "SoftwareDoublings"]
