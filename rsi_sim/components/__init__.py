"""Composable model parts. Each file is one component; REGISTRY maps scenario keys to classes."""

from __future__ import annotations

from ..core import Component
from .jones import JonesResearch
from .milestones import Milestones

#: Components a scenario may name under ``components:`` (milestones come from ``milestones:``).
REGISTRY: dict[str, type[Component]] = {
    cls.name: cls for cls in (JonesResearch,)
}

__all__ = ["REGISTRY", "JonesResearch", "Milestones"]
