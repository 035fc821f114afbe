"""rsi_sim: simulate recursive self-improvement of AI as a discrete-event simulation.

>>> import rsi_sim
>>> ds = rsi_sim.run(rsi_sim.load_scenario("scenarios/reference/jones.yaml"))
>>> bool(ds["diverged"]), round(float(ds["divergence_time"]), 3)
(True, 25.0)
"""

__version__ = "0.1.0"

from .analysis.compare import compare  # noqa: E402
from .analysis.sensitivity import sensitivity  # noqa: E402
from .api import run  # noqa: E402
from .ensemble import open_ensemble, run_ensemble  # noqa: E402
from .scenario import Scenario, load_scenario  # noqa: E402

__all__ = ["Scenario", "__version__", "compare", "load_scenario", "open_ensemble", "run",
           "run_ensemble", "sensitivity"]
