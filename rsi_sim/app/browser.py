"""Driving the page from a real browser: ``rsi-sim app`` in its own process on a free loopback
port, and Debian's headless Chromium through Selenium. Used by the browser tests
(``tests/app/test_browser.py``) and the P9 benchmark; needs ``selenium`` (the ``test`` extra) and
the Debian packages ``chromium`` and ``chromium-driver``.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
T = TypeVar("T")

#: Elements of a Panel page live in nested shadow roots: a query looks through all of them.
#: ``arguments[0]`` is a CSS selector; ``TAIL`` is replaced by what to return of the matches.
_DEEP = """
const sel = arguments[0], out = [];
(function walk(root) {
  for (const el of root.querySelectorAll(sel)) out.push(el);
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
})(document);
return TAIL;
"""


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or ``None``."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return ("Debian's chromium and chromium-driver are not installed "
                "(apt-get install -y chromium chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install '.[test]')"
    return None


@contextlib.contextmanager
def app_server(*args: str, log: Path | None = None, cwd: Path | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """``rsi-sim app ARGS --port 0`` in a process of its own; yields its address and process.
    Its standard error goes to ``log`` (default: discarded)."""
    with open(log, "w") if log else open(os.devnull, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "rsi_sim", "app", *args, "--port", "0"],
                                cwd=cwd, stdout=subprocess.PIPE, stderr=err, text=True)
    try:
        line = proc.stdout.readline()  # the address, printed once the server listens
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if not match:
            raise RuntimeError(f"rsi-sim app printed no address: {line!r}"
                               + (f"; its log: {log.read_text()[-2000:]}" if log else ""))
        yield match.group(0), proc
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@contextlib.contextmanager
def chromium(downloads: Path | None = None, size: tuple[int, int] = (1400, 1300)) -> Iterator[Any]:
    """A headless Chromium WebDriver (the Debian driver named, so Selenium never fetches one)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-extensions", f"--window-size={size[0]},{size[1]}"):
        options.add_argument(arg)
    if downloads is not None:
        options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                                  "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def requested_urls(driver) -> set[str]:
    """Every URL the browser has requested since the last call (from its performance log)."""
    import json

    urls = set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.add(message["params"]["request"]["url"])
    return urls


def deep(driver, selector: str) -> list:
    """Elements matching ``selector`` anywhere in the page, shadow roots included."""
    return driver.execute_script(_DEEP.replace("TAIL", "out"), selector)


def text(driver, selector: str) -> str | None:
    """The text of the first match, read in the page (a pane's content is replaced on update, so
    an element handed back to Python may be gone by the time it is read)."""
    return driver.execute_script(_DEEP.replace("TAIL", "out.length ? out[0].innerText : null"), selector)


def updates(driver) -> int:
    """How many runs the page has shown (its status line counts them)."""
    value = driver.execute_script(_DEEP.replace(
        "TAIL", "out.length ? out[0].getAttribute('data-updates') : null"), "#status")
    return int(value) if value else 0


def errors_shown(driver) -> list[str]:
    """The error messages the page shows."""
    return driver.execute_script(_DEEP.replace(
        "TAIL", "out.filter(e => e.offsetParent !== null).map(e => e.innerText)"), ".rsi-error")


def press(driver, key: str, slider: int = 0) -> None:
    """Press ``key`` on a slider's handle (an arrow key moves it one step)."""
    deep(driver, ".noUi-handle")[slider].send_keys(key)


def wait_for(condition: Callable[[], T], timeout: float = 60, what: str = "the page",
             poll: float = 0.05) -> T:
    """``condition()``'s first true value, polled until ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def open_page(driver, url: str, timeout: float = 90) -> None:
    """Load the page and wait for its first run."""
    driver.get(url)
    wait_for(lambda: updates(driver) >= 1 and text(driver, "#milestones"), timeout, "the first run")


def redraw_seconds(driver, key: str, slider: int = 0, timeout: float = 30) -> float:
    """Seconds from a key press on a slider to the milestone table redrawn in the browser."""
    n = updates(driver)
    t0 = time.perf_counter()
    press(driver, key, slider)
    wait_for(lambda: updates(driver) > n, timeout, "an update", poll=0.005)
    return time.perf_counter() - t0
