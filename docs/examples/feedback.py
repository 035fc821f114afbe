"""A component of your own: a minimal software-feedback loop (docs/components.md).

Software level S grows with research effort. Research combines human researchers (a constant
number) with AI researchers whose number grows with S and with compute; compute is an exogenous
input that grows at a fixed rate. When the AI share of research rises, the loop closes and S
takes off.

    d ln S / dt = speed * R**returns,    R = (1 - ai_share0) + ai_share0 * S * C(t)
    C(t) = exp(compute_growth * t)
"""

from rsi_sim.core import Component, Param
from rsi_sim.core.numeric import divide, exp


class FeedbackLoop(Component):
    name = "feedback"  # the key under components: in a scenario, and the --set prefix

    # ---- parameters: declared once (unit, bounds, source, meaning) ----------------------------
    compute_growth = Param(0.9, unit="1/year", bounds=(0.0, 3.0),
                           source="illustrative (Epoch: frontier training compute ~4x/year)",
                           doc="growth rate of compute, the exogenous input")
    returns = Param(0.8, unit="1", bounds=(0.0, 3.0), source="illustrative",
                    doc="returns to research: growth of S per unit growth of research effort")
    speed = Param(0.3, unit="1/year", bounds=(0.0, 5.0), source="illustrative",
                  doc="growth rate of S at the start")
    ai_share0 = Param(0.05, unit="1", bounds=(0.0, 1.0), source="illustrative",
                      doc="AI share of research effort at the start")

    # ---- state: one stock and the variables conditions may use ---------------------------------
    def build(self, model):
        super().build(model)
        model.add_stock("level", 1.0, unit="1", long_name="software level S (1 at the start)",
                        owner=self.name)
        model.add_variable("compute_input", lambda s: exp(self.compute_growth * s["t"]),
                           unit="1", long_name="compute relative to the start (exogenous)",
                           owner=self.name)
        model.add_variable("ai_research", lambda s: self.ai_share0 * s["level"] * s["compute_input"],
                           unit="1", long_name="AI research effort", owner=self.name)
        model.add_variable("research", lambda s: (1.0 - self.ai_share0) + s["ai_research"],
                           unit="1", long_name="research effort relative to the start",
                           owner=self.name)
        model.add_variable("ai_share", lambda s: divide(s["ai_research"], s["research"]),
                           unit="1", long_name="AI share of research effort", owner=self.name,
                           bounds=(0.0, 1.0))

    # ---- dynamics: the growth rate of the (log) stock ------------------------------------------
    def rates(self, state):
        return {"level": self.speed * state["research"] ** self.returns}
