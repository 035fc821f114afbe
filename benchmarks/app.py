"""P9: the web page (``rsi-sim app``) redraws after a slider change within 0.5 s (median) for one
baseline run."""

from __future__ import annotations

import statistics

from .harness import Result, spread


def _server_side(n: int) -> list[float]:
    """Seconds of the server's work per slider change: the run, the curves' new numbers, the
    table and the address (a session's page built in-process, no browser)."""
    import param

    from rsi_sim.app.page import TakeoffPage
    from rsi_sim.app.settings import Catalog

    catalog = Catalog.load()
    page = TakeoffPage(catalog, {"band": "0"})
    control = catalog.controls[0]
    widget = page.sliders[control.path]
    times = []
    for i in range(n + 2):
        x = control.to_slider(control.value) + (i + 1) * control.step  # a new value each time
        with param.edit_constant(widget):
            widget.value_throttled = x
        if i >= 2:  # the first two warm caches
            times.append(page.last_update_seconds)
    return times


def _browser(n: int) -> list[float]:
    """Seconds from a key press on the first slider to the milestone table redrawn in headless
    Chromium, with the server in its own process (the full round trip a user sees)."""
    from selenium.webdriver.common.keys import Keys

    from rsi_sim.app.browser import app_server, chromium, open_page, redraw_seconds

    with app_server() as (url, _), chromium() as driver:
        open_page(driver, url + "?band=0")
        for _ in range(2):
            redraw_seconds(driver, Keys.ARROW_RIGHT)
        return [redraw_seconds(driver, Keys.ARROW_RIGHT if i % 2 else Keys.ARROW_LEFT)
                for i in range(n)]


def p9_app_redraw(quick: bool) -> Result:
    """P9: a slider change redraws the page within 0.5 s (median) for one baseline run. Measured
    in a browser (headless Chromium: key press to the table redrawn) when Chromium is installed,
    else on the server side only (the detail says which)."""
    try:
        from rsi_sim.app.browser import browser_missing
    except ImportError as exc:
        return Result("P9", "app: slider change to redraw, one baseline run", "median ≤ 0.5 s",
                      f"needs the app extra ({exc})", None)
    n = 5 if quick else 20
    server = _server_side(n)
    missing = browser_missing()
    if missing:
        return Result("P9", "app: slider change to redraw, one baseline run (server side)",
                      "median ≤ 0.5 s", f"{spread(server, 1e3, 'ms')}; no browser round trip: {missing}",
                      statistics.median(server) <= 0.5)
    browser = _browser(n)
    return Result("P9", "app: slider change to redraw in the browser, one baseline run", "median ≤ 0.5 s",
                  f"{spread(browser, 1e3, 'ms')} key press to table redrawn in headless Chromium "
                  f"(server's share {statistics.median(server) * 1e3:.0f} ms)",
                  statistics.median(browser) <= 0.5)
