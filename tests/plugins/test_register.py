"""Registering users' own components: by Python, plugin modules and entry points; a scenario
file never imports anything by itself; an unregistered name gets a located error."""

import sys
import textwrap

import pytest

import rsi_sim
from rsi_sim.components import REGISTRY, JonesResearch
from rsi_sim.core import Component, Param, ScenarioError
from rsi_sim.plugins import PluginError, component_class, known_components, load_plugin

SCENARIO = """\
name: Mine
horizon: 3 y
components:
  {name}: {{}}
"""


class Tripling(Component):
    name = "tripling"
    rate = Param(1.0986, unit="1/year", bounds=(0.0, 5.0), doc="growth rate")

    def build(self, model):
        super().build(model)
        model.add_stock("X", 1.0, unit="1", long_name="tripling stock", owner=self.name)

    def rates(self, state):
        return {"X": self.rate}


def test_an_unregistered_name_says_where_and_how_to_register(write):
    path = write(SCENARIO.format(name="tripling"))
    with pytest.raises(ScenarioError) as info:
        rsi_sim.load_scenario(path)
    err = info.value
    assert err.file == str(path) and err.line == 4 and err.key == "components.tripling"
    text = str(err)
    assert "unknown component 'tripling'" in text
    assert "--plugin MODULE" in text and "rsi_sim.register_component(cls)" in text
    assert "'rsi_sim.components' entry point" in text and "jones" in text


def test_a_typo_gets_a_suggestion(write):
    with pytest.raises(ScenarioError, match=r"unknown component 'sofware' \(did you mean 'software'\?\)"):
        rsi_sim.load_scenario(write(SCENARIO.format(name="sofware")))
    with pytest.raises(ScenarioError, match=r"unknown parameter of jones \(did you mean 'phi'\?\)"):
        rsi_sim.load_scenario(write("name: x\nhorizon: 1 y\ncomponents:\n  jones: {phy: 1}\n"))


def test_register_component_makes_the_name_usable_everywhere(write):
    assert rsi_sim.register_component(Tripling) is Tripling
    path = write(SCENARIO.format(name="tripling"))
    ds = rsi_sim.run(path, overrides={"components.tripling.rate": 0.0})
    assert float(ds["X"].values[-1]) == pytest.approx(1.0)
    ds = rsi_sim.run(path)
    assert float(ds["X"].values[-1]) == pytest.approx(3.0**3, rel=1e-3)
    assert "tripling" in known_components()


def test_registration_is_checked():
    class Nameless(Component):
        pass

    class Reserved(Component):
        name = "milestones"

    class Spaced(Component):
        name = "my model"

    for cls, match in ((Nameless, "has no name"), (Reserved, "section of scenario files"),
                       (Spaced, "letters, digits and _"), (int, "subclass of rsi_sim.core.Component")):
        with pytest.raises(PluginError, match=match):
            rsi_sim.register_component(cls)

    class Other(Component):
        name = "tripling"

    rsi_sim.register_component(Tripling)
    rsi_sim.register_component(Tripling)  # the same class again: fine
    with pytest.raises(PluginError, match="two classes are registered as the component 'tripling'"):
        rsi_sim.register_component(Other)
    rsi_sim.register_component(Other, replace=True)
    assert REGISTRY["tripling"] is Other


def test_a_subclass_keeping_a_shipped_name_replaces_it_and_its_new_parameter_is_settable(write, scenarios):
    class DampedJones(JonesResearch):
        damping = Param(0.0, unit="1", bounds=(0.0, 1.0), doc="share of growth lost")

        def rates(self, state):
            return {"A": (1 - self.damping) * state["growth_rate"]}

    rsi_sim.register_component(DampedJones)
    jones = scenarios / "reference" / "jones.yaml"
    fast = rsi_sim.run(jones, overrides={"horizon": "5 y"})
    slow = rsi_sim.load_scenario(jones, ["horizon=5 y", "components.jones.damping=0.5"])
    assert slow.spec.components["jones"]["damping"] == 0.5
    assert float(rsi_sim.run(slow)["A"].values[-1]) < float(fast["A"].values[-1])
    with pytest.raises(ScenarioError, match="damping"):
        rsi_sim.load_scenario(jones, ["components.jones.damping=2"])


PLUGIN = """\
from rsi_sim.components import JonesResearch   # imported, not defined here: not registered
from rsi_sim.core import Component, Param


class Base(Component):                         # no name: a base class, not registered
    pass


class Linear(Base):
    name = "linear_plugin"
    slope = Param(2.0, unit="1/year", bounds=(0, 10))

    def build(self, model):
        super().build(model)
        model.add_stock("L", 0.0, unit="1", long_name="linear stock", log=False, owner=self.name)

    def rates(self, state):
        return {"L": self.slope}
"""


@pytest.fixture
def plugin_file(tmp_path):
    path = tmp_path / "linear_plugin_mod.py"
    path.write_text(PLUGIN)
    yield path
    sys.modules.pop("linear_plugin_mod", None)


def test_a_plugin_file_registers_the_components_it_defines(plugin_file, write):
    found = load_plugin(str(plugin_file))
    assert [c.name for c in found] == ["linear_plugin"]
    assert REGISTRY["jones"] is JonesResearch
    ds = rsi_sim.run(write(SCENARIO.format(name="linear_plugin")))
    assert float(ds["L"].values[-1]) == pytest.approx(6.0)


def test_a_plugin_module_by_name(plugin_file, monkeypatch, write):
    monkeypatch.syspath_prepend(str(plugin_file.parent))
    ds = rsi_sim.run(write(SCENARIO.format(name="linear_plugin")), plugins=["linear_plugin_mod"])
    assert float(ds["L"].values[-1]) == pytest.approx(6.0)


def test_plugin_errors_are_one_paragraph(tmp_path):
    with pytest.raises(PluginError, match="no module named 'no_such_plugin_xyz'"):
        load_plugin("no_such_plugin_xyz")
    with pytest.raises(PluginError, match="no such file"):
        load_plugin(str(tmp_path / "missing.py"))
    empty = tmp_path / "empty_plugin_xyz.py"
    empty.write_text("x = 1\n")
    with pytest.raises(PluginError, match="defines no Component subclass"):
        load_plugin(str(empty))
    broken = tmp_path / "broken_plugin_xyz.py"
    broken.write_text("import math\n\nmath.sqrt(-1)\n")
    with pytest.raises(PluginError, match=r"ValueError: math domain error \(at .*broken_plugin_xyz.py, line 3\)"):
        load_plugin(str(broken))
    assert "broken_plugin_xyz" not in sys.modules


def test_a_scenario_file_never_imports_anything(tmp_path, write, monkeypatch):
    """A module on the path named like the component is not imported by naming it."""
    (tmp_path / "sneaky_component.py").write_text("import sys\nsys.sneaky_imported = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("sneaky_component", "os", "subprocess"):
        with pytest.raises(ScenarioError, match="unknown component"):
            rsi_sim.load_scenario(write(SCENARIO.format(name=name)))
    assert "sneaky_component" not in sys.modules and not hasattr(sys, "sneaky_imported")


def test_an_installed_entry_point_is_loaded_when_a_scenario_names_it(tmp_path, monkeypatch, write):
    pkg = tmp_path / "site"
    pkg.mkdir()
    (pkg / "ep_components_xyz.py").write_text(PLUGIN.replace("linear_plugin", "ep_linear"))
    dist = pkg / "ep_components_xyz-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ep-components-xyz\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[rsi_sim.components]\nep_linear = ep_components_xyz:Linear\n")
    monkeypatch.syspath_prepend(str(pkg))
    assert "ep_linear" in known_components()
    assert "ep_components_xyz" not in sys.modules  # listed, not imported
    ds = rsi_sim.run(write(SCENARIO.format(name="ep_linear")))
    assert float(ds["L"].values[-1]) == pytest.approx(6.0)
    assert component_class("ep_linear").__module__ == "ep_components_xyz"
    sys.modules.pop("ep_components_xyz", None)


def test_workers_refuse_classes_they_cannot_import(write):
    def make():
        class Local(Tripling):
            name = "local_tripling"
        return Local

    rsi_sim.register_component(make())
    path = write(SCENARIO.format(name="local_tripling") + textwrap.dedent("""\
        uncertainty:
          components.local_tripling.rate: {dist: uniform, low: 0.1, high: 0.2}
        """))
    with pytest.raises(PluginError, match="defined inside a function"):
        rsi_sim.run_ensemble(path, samples=2, engine="processes", workers=1)
    assert rsi_sim.run_ensemble(path, samples=2)["status"].values.tolist() == [1, 1]


def test_a_plugin_file_given_by_a_relative_path_reaches_workers_by_its_absolute_path(
        plugin_file, monkeypatch):
    from rsi_sim.plugins import worker_refs

    monkeypatch.chdir(plugin_file.parent)
    load_plugin(plugin_file.name)
    plugins, _ = worker_refs([])
    assert str(plugin_file.resolve()) in plugins
