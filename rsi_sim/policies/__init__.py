"""Policies as data: a trigger, one or more actions on component levers, and a release.

Written in a scenario's ``policies:`` section (see docs/policies.md), validated by
:mod:`rsi_sim.policies.schema`, run as SimPy processes by :class:`Policies`.
"""

from .actions import LEVERS, Lever, LeverBoard
from .policy import EVENT_FLAGS, Policies, Policy
from .schema import ACTION_KINDS, ActionSpec, EvaluationSpec, PolicySpec, ReleaseSpec

__all__ = ["ACTION_KINDS", "EVENT_FLAGS", "LEVERS", "ActionSpec", "EvaluationSpec", "Lever",
           "LeverBoard", "Policies", "Policy", "PolicySpec", "ReleaseSpec"]
