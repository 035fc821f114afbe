"""Published takeoff models re-expressed as vectorised numpy functions (validation targets).

- :mod:`rsi_sim.reference.ladder`: milestone-ladder phase mathematics (AI 2027 takeoff).
- :mod:`rsi_sim.reference.ai2027`: AI 2027 takeoff forecast, SC -> SAR -> SIAR -> ASI.
- :mod:`rsi_sim.reference.forethought`: Davidson & Houlden software intelligence explosion.
- :mod:`rsi_sim.reference.time_horizon`: exponential and superexponential time horizons.

Targets and tolerances: shared/REFERENCE.md sections A.3 and C.
"""
