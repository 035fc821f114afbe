"""``rsi-sim app`` in a real browser: Debian's headless Chromium driven by Selenium against a
server started here on a free loopback port.

Skipped with the reason when Chromium or its driver is missing, except in CI (``CI`` set), where
.ci/run installs them and a missing browser is a failure.
"""

from __future__ import annotations

import io
import os
import re
import statistics
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("panel", reason="the app extra is not installed: pip install '.[app]'")

from rsi_sim.app.browser import (  # noqa: E402
    app_server,
    browser_missing,
    chromium,
    deep,
    errors_shown,
    open_page,
    press,
    redraw_seconds,
    requested_urls,
    text,
    updates,
    wait_for,
)
from rsi_sim.app.page import BAND_SAMPLES  # noqa: E402
from rsi_sim.core.errors import ScenarioError  # noqa: E402
from rsi_sim.scenario import load_scenario  # noqa: E402

if (reason := browser_missing()) is not None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)

from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
PAUSED_RGB = (249, 235, 210)  # the page's paused shading (#de8f05 at 18%) over white

pytestmark = pytest.mark.timeout(240)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``rsi-sim app --port 0`` in its own process; yields (address, process, its stderr)."""
    log = tmp_path_factory.mktemp("server") / "stderr.txt"
    with app_server(log=log, cwd=ROOT) as (url, proc):
        yield url, proc, log
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads):
    with chromium(downloads) as driver:
        yield driver


def severe_console(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def pixels(driver) -> np.ndarray:
    import matplotlib.image

    return (matplotlib.image.imread(io.BytesIO(driver.get_screenshot_as_png()), format="png")[..., :3]
            * 255).round()


def paused_pixels(image: np.ndarray) -> int:
    return int((np.abs(image - np.array(PAUSED_RGB)).max(axis=-1) <= 4).sum())


def test_slider_changes_the_milestone_table_and_the_address(server, browser):
    url, _, _ = server
    open_page(browser, url + "?band=0")
    table, n = text(browser, "#milestones"), updates(browser)
    # Milestones fall on generation releases, so a small step of r may leave every date where it
    # was: step until the table changes (r 1.2 -> 1.6 moves SAR by a release).
    for _ in range(40):
        press(browser, Keys.ARROW_RIGHT)
        n = wait_for(lambda n=n: updates(browser) > n and updates(browser), 30, "an update")
        if text(browser, "#milestones") != table:
            break
    wait_for(lambda: text(browser, "#milestones") != table, 30, "the table to change")
    assert not errors_shown(browser)
    catalog_keys = re.findall(r"[?&]([a-z_]+\.[a-z_]+)=", browser.current_url)
    assert len(catalog_keys) == 1, browser.current_url  # the moved slider, in the address
    # The address reproduces the page: a new session opened on it shows the same table.
    moved = text(browser, "#milestones")
    open_page(browser, browser.current_url)
    assert text(browser, "#milestones") == moved


def test_managed_slowdown_shows_paused_shading(server, browser):
    url, _, _ = server
    open_page(browser, url + "?band=0")
    before = paused_pixels(pixels(browser))
    n = updates(browser)
    Select(deep(browser, "select")[0]).select_by_value("managed_slowdown")
    wait_for(lambda: updates(browser) > n, 30, "the policy's run")
    count = wait_for(lambda: browser.execute_script(
        "return Bokeh.documents[0].get_model_by_name('paused').data.x0.length"), 30, "shading")
    assert count >= 1
    assert "policy=managed_slowdown" in browser.current_url
    assert re.search(r"training paused\s+[1-9][0-9.]* years", text(browser, "#milestones"))
    assert "delay" in text(browser, "#milestones")
    after = wait_for(lambda: paused_pixels(pixels(browser)) > before + 5000 and paused_pixels(pixels(browser)),
                     30, "the shading to be drawn")
    assert after > before + 5000


def test_screenshot_is_not_blank_and_nothing_comes_from_elsewhere(server, browser):
    url, _, _ = server
    requested_urls(browser)
    open_page(browser, url)
    wait_for(lambda: browser.execute_script(
        "return Bokeh.documents[0].get_model_by_name('run').data.x.length"), 30, "curves")
    time.sleep(0.5)
    image = pixels(browser)
    not_white = (image < 245).any(axis=-1).mean()
    colours = len(np.unique(image.reshape(-1, 3), axis=0))
    assert image.std() > 10 and not_white > 0.02 and colours > 50, (image.std(), not_white, colours)
    # Panel and Bokeh serve their own JavaScript: the page needs no other host.
    elsewhere = {u for u in requested_urls(browser) if not u.startswith((url, "data:", "blob:"))}
    assert not elsewhere, elsewhere


PROGRESS = """
const out = [];
(function walk(r) {
  for (const e of r.querySelectorAll('progress')) out.push(e);
  for (const e of r.querySelectorAll('*')) if (e.shadowRoot) walk(e.shadowRoot);
})(document);
return out.filter(e => e.offsetParent !== null).map(e => [e.value, e.max]);
"""


def test_band_runs_in_the_background_with_progress(server, browser):
    url, _, _ = server
    open_page(browser, url + "?policy=compute_cap")
    # The page shows its run before the band; the progress bar counts the samples meanwhile.
    bar = wait_for(lambda: browser.execute_script(PROGRESS), 30, "the progress bar", poll=0.02)
    assert bar[0][1] == BAND_SAMPLES and bar[0][0] < BAND_SAMPLES
    done = wait_for(lambda: "ensemble band: 10–90%" in (text(browser, ".rsi-band") or "") or None, 120,
                    "the ensemble band")
    assert done
    assert browser.execute_script("return Bokeh.documents[0].get_model_by_name('band').data.x.length") > 0
    assert "samples" in text(browser, "#milestones")


def test_bad_value_in_the_address_gives_the_command_lines_message(server, browser):
    url, _, _ = server
    browser.get(url + "?band=0&software.r=99")
    shown = wait_for(lambda: errors_shown(browser), 60, "the error")
    with pytest.raises(ScenarioError) as expected:
        load_scenario(BASELINE, ["components.software.r=99"])
    assert shown[0] == f"error: {expected.value}"
    n = updates(browser)  # the page still works
    press(browser, Keys.HOME)
    wait_for(lambda: updates(browser) > n, 30, "an update")
    assert not errors_shown(browser)


def test_twenty_updates_without_error_and_bounded_memory(server, browser):
    url, proc, log = server
    open_page(browser, url + "?band=0&policy=managed_slowdown")
    for key in (Keys.ARROW_RIGHT, Keys.ARROW_LEFT) * 3:  # warm up
        n = updates(browser)
        press(browser, key, slider=1)
        wait_for(lambda n=n: updates(browser) > n, 30, "an update")
    start = rss_mib(proc.pid)
    seconds = []
    for i in range(20):
        seconds.append(redraw_seconds(browser, Keys.ARROW_RIGHT if i < 10 else Keys.ARROW_LEFT, slider=1))
        assert not errors_shown(browser), f"update {i + 1}: {errors_shown(browser)}"
    growth = rss_mib(proc.pid) - start
    print(f"20 updates: median {statistics.median(seconds) * 1e3:.0f} ms round trip; "
          f"server memory {start:.0f} MiB, +{growth:.1f} MiB")
    assert proc.poll() is None and "Traceback" not in log.read_text()
    assert not severe_console(browser)
    assert growth < 100, f"server memory grew by {growth:.0f} MiB over 20 updates"


def test_sessions_do_not_share_state(server, browser):
    url, _, _ = server
    open_page(browser, url + "?band=0")
    first = browser.current_window_handle
    table = text(browser, "#milestones")
    browser.switch_to.new_window("tab")
    open_page(browser, url + "?band=0")
    second = browser.current_window_handle
    browser.switch_to.window(first)
    n = updates(browser)
    press(browser, Keys.END)
    wait_for(lambda: updates(browser) > n, 30, "an update")
    assert text(browser, "#milestones") != table
    browser.switch_to.window(second)
    time.sleep(1)
    assert text(browser, "#milestones") == table and updates(browser) == 1
    assert "software" not in browser.current_url
    browser.close()
    browser.switch_to.window(first)


def test_downloaded_scenario_reruns_to_the_table(server, browser, downloads):
    import rsi_sim
    from rsi_sim.analysis.summary import fmt_year

    url, _, _ = server
    open_page(browser, url + "?band=0&policy=compute_cap&software.r=1.6")
    button = next(b for b in deep(browser, "button") if "YAML" in b.text)
    button.click()
    path = wait_for(lambda: next(iter(downloads.glob("compute_cap*.yaml")), None), 30, "the download")
    ds = rsi_sim.run(rsi_sim.load_scenario(path))
    table = text(browser, "#milestones")
    for name, year in zip(ds["milestone"].values, ds["milestone_year"].values, strict=True):
        assert re.search(rf"{name}\s+{fmt_year(float(year))}", table), (name, table)
