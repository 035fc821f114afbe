"""The kernel: small and free of science."""

from .component import Component
from .conditions import Condition, parse_condition
from .errors import ParameterError, RsiSimError, ScenarioError, SimulationError
from .model import Model, SolverOptions, State
from .params import Param

__all__ = ["Component", "Condition", "Model", "Param", "ParameterError", "RsiSimError",
           "ScenarioError", "SimulationError", "SolverOptions", "State", "parse_condition"]
