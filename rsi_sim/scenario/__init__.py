"""Scenario files: YAML schema, loading, ``extends``, overrides and validation errors."""

from .load import Scenario, load_scenario, parse_scenario_text

__all__ = ["Scenario", "load_scenario", "parse_scenario_text"]
