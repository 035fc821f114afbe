"""The page's server side without a browser: a session's widgets drive runs, the sources the
browser draws from, the table and the downloads; errors stay inline; sessions are separate."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("panel", reason="the app extra is not installed: pip install '.[app]'")

import param  # noqa: E402
import xarray as xr  # noqa: E402

import rsi_sim  # noqa: E402
from rsi_sim.app.page import TakeoffPage, brief  # noqa: E402
from rsi_sim.app.settings import PageState  # noqa: E402
from rsi_sim.scenario import parse_scenario_text  # noqa: E402


def move(page: TakeoffPage, control, value: float) -> None:
    """What the browser does when a slider is let go at ``value``."""
    widget = page.sliders[control.path]
    with param.edit_constant(widget):
        widget.value_throttled = control.to_slider(value)


@pytest.fixture
def page(catalog):
    return TakeoffPage(catalog, {"band": "0"})


def test_a_slider_change_reruns_and_redraws(page, catalog):
    control = catalog.controls[0]
    table = page.table.object
    dates = list(page.run_source.data[page.variables[-1]])
    move(page, control, control.value * 1.5)
    assert page.state.values[control.path] == pytest.approx(control.value * 1.5, rel=1e-2)
    assert page.table.object != table
    assert list(page.run_source.data[page.variables[-1]]) != dates
    expected = rsi_sim.run(catalog.base.with_overrides(dict(page.state.values)))
    np.testing.assert_array_equal(page.ds["milestone_year"].values, expected["milestone_year"].values)
    assert page.updates == 2 and not page.error.visible


def test_managed_slowdown_shades_its_pauses_and_times_the_delays(page):
    assert page.paused_source.data["x0"] == []
    page.policy.value = "managed_slowdown"
    assert len(page.paused_source.data["x0"]) > 0
    assert len(page.parent_source.data["x"]) == len(page.run_source.data["x"])
    assert "delay" in page.table.object and "training paused" in page.table.object
    page.compare.value = False
    assert len(page.parent_source.data["x"]) == 0 and "delay" not in page.table.object


def test_fixed_axes_hold_still(page, catalog):
    page.axes.value = "fixed"
    ranges = [(f.y_range.start, f.y_range.end) for f in page.figures]
    move(page, catalog.controls[0], catalog.controls[0].value * 2)
    assert [(f.y_range.start, f.y_range.end) for f in page.figures] == ranges
    page.axes.value = "auto"
    assert all(f.y_range is r for f, r in zip(page.figures, page.auto_ranges, strict=True))


def test_bad_input_is_said_inline_and_the_page_recovers(page, catalog):
    control = catalog.controls[0]
    hi = control.param.bounds[1]
    page.state = page.state.with_value(control.path, hi * 2)
    page.update()
    assert page.error.visible and "must be a number between" in page.error.object
    assert "error: " in page.error.object and "Got " in page.error.object
    move(page, control, control.value * 1.1)
    assert not page.error.visible and page.ds is not None


def test_a_failing_run_is_reported_not_raised(page, monkeypatch, capsys):
    import rsi_sim.app.page as page_module

    def broken(_scenario):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(page_module, "run", broken)
    page.runs.clear()
    page.policy.value = "compute_cap"
    assert page.error.visible and "internal error: ZeroDivisionError: boom" in page.error.object
    assert "Traceback" in capsys.readouterr().err  # the server's log has it, the page does not
    assert "Traceback" not in page.error.object


def test_sessions_do_not_share_state(catalog):
    a, b = TakeoffPage(catalog, {"band": "0"}), TakeoffPage(catalog, {"band": "0"})
    table = b.table.object
    move(a, catalog.controls[0], catalog.controls[0].value * 2)
    a.policy.value = "managed_slowdown"
    assert b.state == PageState(band=False) and b.table.object == table
    assert a.run_source is not b.run_source and a.runs is not b.runs
    assert catalog.base.spec.policies == {}  # the catalog was not changed


def test_downloads_rerun_to_what_the_page_shows(page, catalog, tmp_path):
    move(page, catalog.controls[0], catalog.controls[0].value * 1.5)
    page.policy.value = "managed_slowdown"
    text = page._yaml_file().getvalue().decode()
    again = rsi_sim.run(parse_scenario_text(text, "downloaded.yaml"))
    np.testing.assert_array_equal(again["milestone_year"].values, page.ds["milestone_year"].values)
    (tmp_path / "page.nc").write_bytes(page._netcdf_file().getvalue())
    ds = xr.load_dataset(tmp_path / "page.nc")
    np.testing.assert_array_equal(ds["milestone_year"].values, page.ds["milestone_year"].values)
    assert page.download_yaml.filename == "managed_slowdown.yaml"


def test_the_band_runs_and_fills_the_table(catalog):
    page = TakeoffPage(catalog, {})
    data = page.band_source.data
    assert len(data["x"]) > 0 and np.isfinite(np.asarray(data[f"{page.variables[0]}_hi"])).any()
    assert "samples" in page.table.object and not page.progress.visible
    key = page.band_key
    move(page, catalog.controls[0], catalog.controls[0].value * 2)  # a sampled parameter:
    assert page.band_key == key                                      # the same band
    page.band.value = False
    assert len(page.band_source.data["x"]) == 0


def test_a_cancelled_band_stops(catalog):
    page = TakeoffPage(catalog, {"band": "0"})
    jobs = []

    class Later:
        def submit(self, job):
            jobs.append(job)

    page.band_executor = Later()
    page.band.value = True
    page.cancel()
    jobs[0]()
    assert len(page.band_source.data["x"]) == 0 and page.ens is None


def test_the_address_follows_the_settings(catalog):
    class Location:
        search = ""

    location = Location()
    page = TakeoffPage(catalog, {"band": "0"}, location=location)
    assert location.search == "?band=0"
    page.policy.value = "compute_cap"
    assert location.search == "?policy=compute_cap&band=0"


def test_brief():
    assert brief("a " * 400).endswith("…") and len(brief("a " * 400)) <= 322


def test_a_scenario_with_its_own_policies_switches_them(catalog):
    from rsi_sim.app.settings import Catalog

    from .conftest import SCENARIOS

    own = Catalog.load(SCENARIOS / "managed_slowdown.yaml")
    page = TakeoffPage(own, {"band": "0"})
    assert len(page.paused_source.data["x0"]) > 0 and "delay" in page.table.object
    page.policy.value = []
    assert page.paused_source.data["x0"] == [] and page.parent_ds is None
    assert page.shown.spec.policies == {}


def test_a_model_without_takeoff_variables_or_uncertainty():
    from rsi_sim.app.settings import Catalog

    from .conftest import SCENARIOS

    page = TakeoffPage(Catalog.load(SCENARIOS / "reference" / "jones.yaml"), {})
    assert page.variables and len(page.run_source.data["x"]) > 0
    assert "no uncertainty: section" in page.band_text.object
    assert page.catalog.controls and not page.error.visible
