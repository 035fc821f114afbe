"""The kernel: small and free of science.

``Model``, ``SolverOptions`` and ``State`` are imported on first use (they need xarray and
scipy); see ``rsi_sim/__init__.py``.
"""

from importlib import import_module
from typing import Any

from .component import Component
from .conditions import Condition, parse_condition
from .errors import ParameterError, RsiSimError, ScenarioError, SimulationError
from .params import Param

_LAZY = {"Model": ".model", "SolverOptions": ".model", "State": ".model"}

__all__ = ["Component", "Condition", "Model", "Param", "ParameterError", "RsiSimError",
           "ScenarioError", "SimulationError", "SolverOptions", "State", "parse_condition"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rsi_sim.core' has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value
