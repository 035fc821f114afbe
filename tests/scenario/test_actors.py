"""Scenarios with several actors (docs/actors.md): each actor its own components, policies that
bind one actor or all, the lead of one over another, and located errors for bad input."""

import math
import textwrap

import numpy as np
import pytest

import rsi_sim
from rsi_sim import load_scenario
from rsi_sim.components import REGISTRY
from rsi_sim.core import Component
from rsi_sim.core.errors import ScenarioError


def _same(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype.kind in "fc":
        return np.array_equal(x, y, equal_nan=True)
    return np.array_equal(x, y)


def _assert_actor_equals(race, actor, one):
    """Every variable of the one-actor run is the actor's, bit for bit (events unpadded)."""
    part = race.sel(actor=actor)
    n_event = one.sizes.get("event", 0)
    n_gen = one.sizes.get("gen", 0)
    for name in one.data_vars:
        got = part[name]
        if "event" in got.dims:
            got = got.isel(event=slice(0, n_event))
        if "gen" in got.dims:
            got = got.isel(gen=slice(0, n_gen))
        assert _same(got.values, one[name].values), name
    assert str(part["stop_reason"].values) == one.attrs["stop_reason"]


def race_file(write, body: str, name="race.yaml"):
    # baseline is found by name (a shipped scenario) from the temporary folder
    return write("extends: baseline\nname: race_test\n" + textwrap.dedent(body), name)


def test_two_identical_actors_give_identical_trajectories(write):
    ds = rsi_sim.run(race_file(write, "actors:\n  a: {}\n  b: {}\n"))
    assert list(ds["actor"].values) == ["a", "b"]
    assert ds["milestone_year"].dims == ("actor", "milestone")
    for name, var in ds.data_vars.items():
        if "actor" in var.dims and name not in ("lead_years", "catch_up_years"):  # pairwise
            assert _same(var.sel(actor="a").values, var.sel(actor="b").values), name
    # level with each other: no lead either way (NaN until a year of history, the pace's window)
    lead = ds["lead_years"].sel(actor="a", rival="b")
    assert np.isnan(lead.sel(time=slice(None, 2026.99)).values).all()
    assert np.all(lead.sel(time=slice(2027.0, None)).values == 0.0)
    assert np.isnan(ds["lead_years"].sel(actor="a", rival="a").values).all()


def test_each_actor_without_interactions_equals_its_one_actor_run(write):
    path = race_file(write, """\
        actors:
          us_lab: {}
          cn_project:
            components:
              compute: {initial_h100e: 7.5e5, chip_share: 0.13, initial_spending: 2.0e10}
        """)
    ds = rsi_sim.run(path)
    _assert_actor_equals(ds, "us_lab", rsi_sim.run("baseline"))
    alone = rsi_sim.run("baseline", overrides={"components.compute.initial_h100e": 7.5e5,
                                               "components.compute.chip_share": 0.13,
                                               "components.compute.initial_spending": 2.0e10})
    _assert_actor_equals(ds, "cn_project", alone)
    # half the compute: cn_project starts behind (it meets the same money, power and talent
    # limits later, so it may catch up); the two leads are opposite
    lead = ds["lead_years"].sel(actor="us_lab", rival="cn_project")
    assert np.all(lead.sel(time=slice(2027.0, 2028.0)).values > 0)
    assert _same(lead.values, -ds["lead_years"].sel(actor="cn_project", rival="us_lab").values)


def test_actor_parameters_are_addressable_with_set(write):
    path = race_file(write, "actors:\n  a: {}\n  b: {}\n")
    sc = load_scenario(path, ["actors.b.components.software.r=0.9"])
    assert sc.spec.actor_components("b")["software"]["r"] == 0.9
    # the baseline's (its declared default: baseline.yaml does not restate defaults)
    assert sc.spec.actor_components("a")["software"].get("r", REGISTRY["software"].params["r"].default) == 1.2
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, ["actors.b.components.software.rr=0.9"])
    assert info.value.key == "actors.b.components.software.rr"
    assert "unknown parameter of software" in str(info.value)


@pytest.mark.parametrize(("body", "key", "line", "words"), [
    ("actors:\n  a: {}\n  b:\n    compnents: {}\n", "actors.b.compnents", 6, "unknown key"),
    ("actors:\n  a: {}\n  b:\n    components:\n      software: {r: -1}\n",
     "actors.b.components.software.r", 7, "software"),
    ("actors:\n  a: {}\n  b:\n    components:\n      sofware: {}\n",
     "actors.b.components.sofware", 7, "unknown component"),
    ("actors:\n  a: {}\n  b: {}\npolicies:\n  p:\n    actor: c\n    trigger: SC\n"
     "    action: pause_training\n", "policies.p.actor", 8, "unknown actor 'c'"),
    ("actors:\n  a: {}\n  b: {}\npolicies:\n  p:\n    trigger: SC\n    action: pause_training\n",
     "policies.p", 7, "names the one it binds"),
    ("actors:\n  a: {}\n  b: {}\npolicies:\n  p:\n    actor: a\n    trigger: lead_years(a, a) >= 1\n"
     "    action: pause_training\n", "policies.p.trigger", 9, "over itself"),
    ("actors:\n  a: {}\n  b: {}\npolicies:\n  p:\n    actor: a\n    trigger: lead_years(a, z) >= 1\n"
     "    action: pause_training\n", "policies.p.trigger", 9, "unknown actor 'z'"),
    ("policies:\n  p:\n    actor: a\n    trigger: SC\n    action: pause_training\n",
     "policies.p.actor", 5, "has no actors"),
    ("actors:\n  a: {}\n  b: {}\nrace:\n  lead_on: nothing\n", "race.lead_on", 7, "'nothing'"),
    # interactions between actors
    ("actors:\n  a: {}\n  b: {}\ninteractions:\n  difusion: {}\n", "interactions.difusion", 7,
     "did you mean 'diffusion'"),
    ("actors:\n  a: {}\n  b: {}\ninteractions:\n  diffusion: {rat: 1}\n", "interactions.diffusion.rat",
     7, "unknown parameter"),
    ("actors:\n  a: {}\n  b: {}\ninteractions:\n  weight_theft: {thief: a, victim: c}\n",
     "interactions.weight_theft.victim", 7, "unknown actor 'c'"),
    ("actors:\n  a: {}\n  b: {}\ninteractions:\n  weight_theft: {thief: a, victim: a}\n",
     "interactions.weight_theft.victim", 7, "same actor"),
    ("actors:\n  a: {}\n  b: {}\ninteractions:\n  weight_theft: {thief: a, victim: b, security_level: 6}\n",
     "interactions.weight_theft.security_level", 7, "between 1 and 5"),
    ("interactions:\n  diffusion: {}\n", "interactions.diffusion", 4, "two or more"),
])
def test_bad_race_input_gets_a_located_error(write, body, key, line, words):
    """Actors, policies bound to actors, the race and interactions: each error names the file,
    the key and its line."""
    path = race_file(write, body)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path).build_model()
    assert info.value.file == str(path)
    assert info.value.key == key
    assert info.value.line == line
    assert words in str(info.value)


# ---- a race a hand can follow ---------------------------------------------------------------

class Frontier(Component):
    """Stands in for generations in a race one can calculate by hand: a frontier level x that
    grows by e every year, except while training is paused; actor b starts half a year behind.
    """

    name = "generations"

    def __init__(self, **values):
        super().__init__(**values)
        self.paused = False
        self.on_release, self.on_training_start = [], []

    def build(self, model):
        super().build(model)
        behind = {"a": 0.0, "b": 0.5}[model.attrs["actor"]]
        model.add_stock("frontier", math.exp(-behind), unit="1", long_name="frontier level",
                        owner=self.name)

    def rates(self, state):
        return {"frontier": 0.0 if self.paused else 1.0}

    def set_paused(self, pauses):
        """The ``pause_training`` lever (declared on ``Generations``): the active pauses."""
        self.paused = pauses > 0


HAND = """\
name: hand
start: 2026-01-01
horizon: 3 y
outputs: {step: 0.1 y}
components:
  generations: {}
race: {lead_on: frontier}
actors:
  a: {}
  b: {}
"""


def hand_race(write, policies=""):
    sc = load_scenario(write(HAND + policies, "hand.yaml"))
    return sc.build_model(components={"generations": Frontier}).run()


def test_lead_of_a_steady_race_is_the_starting_gap(write):
    lead = hand_race(write)["lead_years"].sel(actor="a", rival="b")
    assert np.isnan(lead.sel(time=slice(None, 2026.95)).values).all()  # the first year: no pace yet
    np.testing.assert_allclose(lead.sel(time=slice(2027.0, None)).values, 0.5, rtol=1e-9)


def test_a_unilateral_pause_shrinks_the_lead_by_its_length(write):
    ds = hand_race(write, """\
policies:
  pause_a:
    actor: a
    trigger: date >= 2027-01-01
    action: pause_training
    release: {after: 0.3 y}
""")
    lead = ds["lead_years"].sel(actor="a", rival="b")
    # b grows by e a year throughout, so the lead is the log gap: 0.5 before, 0.5 - 0.3 after
    np.testing.assert_allclose(lead.sel(time=2027.0).values, 0.5, rtol=1e-9)
    np.testing.assert_allclose(lead.sel(time=[2027.3, 2028.0, 2029.0]).values, 0.2, rtol=1e-9)
    # the years b in fact took to reach a's level of each time, read off the run
    after = ds["catch_up_years"].sel(actor="a", rival="b")
    np.testing.assert_allclose(after.sel(time=[2026.5, 2027.1, 2028.0]).values, [0.5, 0.4, 0.2],
                               rtol=1e-9)
    assert np.isnan(after.sel(time=2028.9))  # b reaches a's level of then only after the run
    np.testing.assert_allclose(ds["catch_up_years"].sel(actor="b", rival="a").values,
                               -after.values, rtol=1e-12)
    # the pause binds a only: b grew unpaused, a lost 0.3 e-folds
    end = ds["frontier"].isel(time=-1)
    np.testing.assert_allclose(np.log(end.sel(actor="b").values), 3 - 0.5, rtol=1e-9)
    np.testing.assert_allclose(np.log(end.sel(actor="a").values), 3 - 0.3, rtol=1e-9)
    assert float(ds["policy_active_years"].sel(actor="a", policy="pause_a")) == pytest.approx(0.3)
    assert np.isnan(ds["policy_active_years"].sel(actor="b", policy="pause_a"))


def test_a_coordinated_pause_keeps_the_lead(write):
    ds = hand_race(write, """\
policies:
  pause_all:
    actors: all
    trigger: date >= 2027-01-01
    action: pause_training
    release: {after: 0.3 y}
""")
    lead = ds["lead_years"].sel(actor="a", rival="b")
    # both paused together: the gap is unchanged; within a year after, b's pace over the window
    # includes the pause (0.7 e-folds in the year to 2027.5), so the lead reads 0.5 / 0.7
    np.testing.assert_allclose(lead.sel(time=2027.5).values, 0.5 / 0.7, rtol=1e-9)
    np.testing.assert_allclose(lead.sel(time=[2027.0, 2028.3, 2029.0]).values, 0.5, rtol=1e-9)


def test_a_policy_triggered_by_the_lead(write):
    # a slows down only while ahead by 0.4 years or more; it resumes when the lead falls under
    # 0.3. Leads move at the race's weekly meetings and are known after a year (the pace's
    # window): the first (0.5, at week 52) starts the pause; at week k the lead is
    # 0.5 - (k - 52)/52, first under 0.3 at k = 63.
    ds = hand_race(write, """\
policies:
  slow_while_ahead:
    actor: a
    trigger: lead_years(a, b) >= 0.4
    action: pause_training
    release:
      when: lead_years(a, b) < 0.3
""")
    lead = ds["lead_years"].sel(actor="a", rival="b")
    np.testing.assert_allclose(lead.sel(time=[2027.5, 2029.0]).values, 0.5 - 11 / 52, rtol=1e-9)


ENSEMBLE = """\
extends: weight_security
name: theft_hazards
horizon: 2028-01-01
uncertainty:                 # with the baseline's, inherited: they set the base components
  interactions.weight_theft.hazard_multiplier: {dist: loguniform, low: 0.1, high: 10}
  actors.cn_project.components.compute.chip_share: {dist: uniform, low: 0.03, high: 0.09}
"""


def test_an_ensemble_over_theft_hazards_is_identical_across_engines(write):
    from rsi_sim import run_ensemble

    path = write(ENSEMBLE, "theft_hazards.yaml")
    kw = dict(samples=4, batch_size=2)
    sequential = run_ensemble(path, **kw)
    assert (sequential["status"].values == 1).all(), sequential["error"].values
    processes = run_ensemble(path, engine="processes", workers=2, **kw)
    import xarray as xr

    xr.testing.assert_identical(sequential, processes)
    # each sample ran with its drawn values: the actor's chip share went to that actor only
    assert "cn_project.SC" in list(sequential["milestone"].values)
    k = 0
    drawn = {str(p): float(sequential[str(p)].isel(sample=k))
             for p in load_scenario(path).spec.uncertainty}
    one = rsi_sim.run(path, seed=np.random.SeedSequence(0, spawn_key=(k,)), overrides=drawn)
    for actor in ("us_lab", "cn_project"):
        got = sequential["milestone_year"].isel(sample=k).sel(
            milestone=[f"{actor}.{m}" for m in one["milestone"].values])
        assert _same(got.values, one["milestone_year"].sel(actor=actor).values), actor
    assert np.isfinite(one["milestone_year"].sel(actor="us_lab", milestone="SC"))


ACTOR_SCENARIOS = ("race", "unilateral_slowdown", "coordinated_slowdown", "export_controls",
                   "weight_security", "weight_security_sl5")


@pytest.fixture(scope="module")
def shipped_races():
    root = __import__("pathlib").Path(__file__).resolve().parents[2] / "scenarios"
    return {n: rsi_sim.run(root / f"{n}.yaml") for n in ACTOR_SCENARIOS}


def test_shipped_actor_scenarios_are_described_and_run(shipped_races, scenarios):
    for name, ds in shipped_races.items():
        sc = load_scenario(scenarios / f"{name}.yaml")
        assert list(sc.spec.actors) == ["us_lab", "cn_project"]
        assert len(sc.spec.description) > 300 and not sc.spec.description.startswith("Based on")
        assert ds["milestone_year"].dims == ("actor", "milestone")
        assert np.isfinite(ds["milestone_year"].sel(milestone="SC")).all(), name


def test_a_unilateral_pause_binds_the_us_lab_only_and_gives_away_lead(shipped_races):
    race, uni = shipped_races["race"], shipped_races["unilateral_slowdown"]
    # who is first: the US lab in the race; cn_project to SAR when the US lab pauses alone
    assert set(race["milestone_first"].values) == {"us_lab"}
    assert str(uni["milestone_first"].sel(milestone="SAR").values) == "cn_project"
    # cn_project is untouched: its run is the same bit for bit
    for name in ("milestone_year", "effective_compute", "time_horizon_hours"):
        assert _same(uni[name].sel(actor="cn_project").values,
                     race[name].sel(actor="cn_project").values), name
    us = lambda ds, m: float(ds["milestone_year"].sel(actor="us_lab", milestone=m))  # noqa: E731
    assert us(uni, "SC") == us(race, "SC") and us(uni, "SAR") > us(race, "SAR")
    lead = lambda ds: float(ds["lead_years"].sel(actor="us_lab", rival="cn_project")  # noqa: E731
                            .sel(time=2028.0, method="nearest"))
    assert lead(uni) < lead(race)


def test_a_coordinated_pause_binds_both(shipped_races):
    race, coord = shipped_races["race"], shipped_races["coordinated_slowdown"]
    years = coord["policy_active_years"].sel(policy="pause_at_superhuman_coder")
    assert (years > 0).all()
    for actor in ("us_lab", "cn_project"):
        assert float(coord["milestone_year"].sel(actor=actor, milestone="ASI")) > \
            float(race["milestone_year"].sel(actor=actor, milestone="ASI"))


# ---- interactions ---------------------------------------------------------------------------

class Software(Component):
    """Stands in for software: ln S grows by 1 a year for actor a and not at all for b."""

    name = "software"

    def build(self, model):
        super().build(model)
        self.growth = {"a": 1.0, "b": 0.0}[model.attrs["actor"]]
        model.add_stock("software_level", 1.0, unit="1", long_name="software", owner=self.name)

    def rates(self, state):
        return {"software_level": self.growth}


DIFFUSION = """\
name: diffusion_hand
start: 2026-01-01
horizon: 8 y
outputs: {step: 0.25 y}
components:
  software: {}
race: {lead_on: software_level}
actors:
  a: {}
  b: {}
interactions:
  diffusion: {rate: 2, lag: 6 months}
"""


def test_diffusion_keeps_a_follower_lag_plus_one_over_rate_behind(write):
    sc = load_scenario(write(DIFFUSION, "diffusion.yaml"))
    ds = sc.build_model(components={"software": Software}).run()
    ln_s = np.log(ds["software_level"])
    a, b = ln_s.sel(actor="a"), ln_s.sel(actor="b")
    # b only ever gains by diffusion, a never does (it leads)
    np.testing.assert_allclose(ds["software_diffused"].sel(actor="b").values, b.values, atol=1e-12)
    assert np.all(ds["software_diffused"].sel(actor="a").values == 0)
    # Weekly relaxation x += (1 - e**(-k dt)) (t - lag - x) towards a's level lag years ago: in
    # the steady state b trails that target by dt / (1 - e**(-k dt)) (~ 1/k + dt/2), so it is
    # lag + dt / (1 - e**(-k dt)) behind a; the start's transient has decayed by e**-15 at t = 8.
    dt, k, lag = 1 / 52, 2.0, 0.5
    expected = lag + dt / -math.expm1(-k * dt)
    assert float(a.isel(time=-1) - b.isel(time=-1)) == pytest.approx(expected, abs=1e-6)
    # b's last-meeting value is reached between meetings, so compare at a meeting time too
    kinds = ds["event_kind"].sel(actor="b").values
    assert "algorithms_diffused" in kinds


def test_diffusion_off_when_its_rate_is_zero(write):
    sc = load_scenario(write(DIFFUSION.replace("rate: 2", "rate: 0"), "diffusion.yaml"))
    ds = sc.build_model(components={"software": Software}).run()
    assert np.all(ds["software_level"].sel(actor="b").values == 1.0)


THEFT = """\
race: {lead_on: uncapped_time_horizon_hours}
actors:
  us_lab: {}
  cn_project:
    components:
      compute: {initial_h100e: 7.5e5, chip_share: 0.06}
      capability: {anchor_horizon_hours: 1.83, automation_at_start: 0.315}
interactions:
  weight_theft:
    thief: cn_project
    victim: us_lab
    security_level: 1
    hazard_multiplier: 1.0e6         # certain at the first meeting it may happen
    attempts_from: 1.0               # years after the start: 2027-01-01
"""


def test_a_certain_theft_gives_the_thief_the_victims_generation_then(write):
    ds = rsi_sim.run(race_file(write, THEFT))
    thief, victim = ds.sel(actor="cn_project"), ds.sel(actor="us_lab")
    kinds = list(thief["event_kind"].values)
    first = kinds.index("weights_stolen")
    detail = __import__("json").loads(str(thief["event_detail"].values[first]))
    assert float(thief["event_time"].values[first]) == pytest.approx(2027.0, abs=1e-9)
    # the victim's deployed generation at that time is the one taken
    assert detail["victim_generation"] == int(victim["generation"].sel(time=2027.0))
    # from then the thief deploys a model as capable as the victim's...
    at = {"time": 2027.0}
    assert float(thief["uncapped_time_horizon_hours"].sel(**at)) == pytest.approx(
        float(victim["uncapped_time_horizon_hours"].sel(**at)), rel=1e-12)
    assert float(thief["time_horizon_hours"].sel(**at)) == pytest.approx(
        float(victim["time_horizon_hours"].sel(**at)), rel=1e-12)
    # ... with the victim's training compute (the same weights cost the same to run)
    stolen = thief["gen_stolen_from_generation"].values == detail["victim_generation"]
    assert stolen.sum() == 1
    assert float(thief["gen_training_compute"].values[stolen][0]) == float(
        victim["gen_training_compute"].sel(gen=detail["victim_generation"]))
    # before 2027 nothing was taken; the victim's log has the other side
    assert "weights_exfiltrated" in list(victim["event_kind"].values)
    assert float(ds["lead_years"].sel(actor="us_lab", rival="cn_project", time=2027.0)) == 0.0


def test_theft_is_seeded_and_reproducible(write):
    body = THEFT.replace("hazard_multiplier: 1.0e6", "hazard_multiplier: 1.0")
    path = race_file(write, body)

    def thefts(seed):
        ds = rsi_sim.run(path, seed=seed)
        kinds, times = ds["event_kind"].sel(actor="cn_project").values, \
            ds["event_time"].sel(actor="cn_project").values
        return [float(t) for k, t in zip(kinds, times, strict=True) if k == "weights_stolen"]

    first = thefts(0)
    assert first and thefts(0) == first
    assert thefts(1) != first


def test_export_controls_and_theft_act_on_cn_project_only(shipped_races):
    race = shipped_races["race"]
    for name in ("export_controls", "weight_security", "weight_security_sl5"):
        ds = shipped_races[name]
        for var in ("milestone_year", "effective_compute", "uncapped_time_horizon_hours"):
            assert _same(ds[var].sel(actor="us_lab").values, race[var].sel(actor="us_lab").values), \
                (name, var)
    asi = lambda ds: float(ds["milestone_year"].sel(actor="cn_project", milestone="ASI"))  # noqa: E731
    # the chip cap delays cn_project's ASI by most of a year (0.87 y at seed 0; 1.45 y while the
    # taste ceiling, 6 SD, made ASI wait for automation to creep towards 100% release by release)
    assert asi(shipped_races["export_controls"]) > asi(race) + 0.5
    capped = shipped_races["export_controls"]["physical_compute"].sel(actor="cn_project")
    assert float(capped.isel(time=-1)) < float(race["physical_compute"].sel(actor="cn_project").isel(time=-1))
    # stolen weights bring cn_project's ASI forward; fewer thefts at SL5 than at SL3
    def thefts(ds):
        return int((ds["event_kind"].sel(actor="cn_project").values == "weights_stolen").sum())
    assert asi(shipped_races["weight_security"]) < asi(race)
    assert thefts(shipped_races["weight_security"]) > thefts(shipped_races["weight_security_sl5"]) >= 0


def test_validate_and_describe_name_the_actors(cli, scenarios):
    result = cli("validate", scenarios / "weight_security.yaml")
    assert result.exit_code == 0, result.output
    assert "2 actors (us_lab, cn_project)" in " ".join(result.output.split())
    result = cli("describe", scenarios / "weight_security.yaml", "--format", "json")
    assert result.exit_code == 0, result.output
    text = result.output
    for words in ("actors.cn_project.components.compute", "interactions.weight_theft",
                  "lead_years.us_lab.cn_project"):
        assert words in text, words


def test_the_web_page_refuses_a_race_with_a_reason(cli, scenarios):
    pytest.importorskip("panel")
    result = cli("app", scenarios / "race.yaml")
    assert result.exit_code == 2
    assert "the web page runs one developer" in " ".join(result.output.split())


def test_one_actor_runs_as_the_scenario_without_actors(write):
    # the Jones model has no effective_compute: with one actor there is no lead to compare on
    text = ("name: one\nhorizon: 3 y\ncomponents:\n  jones: {phi: 0.3}\nmilestones:\n  double: A >= 2\n")
    alone = rsi_sim.run(write(text, "alone.yaml"))
    one = rsi_sim.run(write(text + "actors:\n  only: {}\n", "one.yaml"))
    assert list(one["actor"].values) == ["only"] and "lead_years" not in one
    _assert_actor_equals(one, "only", alone)


def test_each_actor_stops_on_its_own(write):
    path = write("extends: weight_security\nname: stops\nstop: ASI\ninteractions:\n  diffusion: {}\n",
                 "stops.yaml")
    ds = rsi_sim.run(path)
    asi = ds["milestone_year"].sel(milestone="ASI")
    assert list(ds["stop_reason"].values) == ["stop condition: ASI"] * 2
    first = float(asi.min())
    for actor in ("us_lab", "cn_project"):
        series = ds["effective_compute"].sel(actor=actor)
        reached = float(asi.sel(actor=actor))
        assert np.isfinite(series.sel(time=slice(None, reached)).values).all()
        assert np.isnan(series.sel(time=slice(reached + 0.1, None)).values).all()
    # once one has stopped there is no lead to measure
    lead = ds["lead_years"].sel(actor="us_lab", rival="cn_project")
    assert np.isnan(lead.sel(time=slice(first + 0.1, None)).values).all()
