"""The kernel: small and free of science.

``Model``, ``SolverOptions`` and ``State`` are imported on first use (they need xarray and
scipy); see ``rsi_sim/__init__.py``.
"""

from .._lazy import lazy_getattr
from .component import Component
from .conditions import Criterion, parse_condition
from .errors import ParameterError, RsiSimError, ScenarioError, SimulationError
from .levers import Lever
from .params import Param

_LAZY = {"Model": ".model", "SolverOptions": ".kernel", "State": ".state"}

__all__ = ["Component", "Criterion", "Lever", "Model", "Param", "ParameterError", "RsiSimError",
           "ScenarioError", "SimulationError", "SolverOptions", "State", "parse_condition"]

__getattr__ = lazy_getattr(__name__, globals(), _LAZY)
