"""``rsi-sim app`` on the command line: the missing extra, bad arguments, and that the web
framework is imported only by this command."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _rsi_sim(*args: str, prelude: str = "", timeout: float = 120) -> subprocess.CompletedProcess:
    code = (f"import sys\n{prelude}\nfrom rsi_sim.__main__ import main\n"
            f"sys.argv = ['rsi-sim', *{list(args)!r}]\nmain()\n")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_without_the_extra_it_says_what_to_install():
    # None in sys.modules makes ``import panel`` fail as if it were not installed.
    proc = _rsi_sim("app", prelude="sys.modules['panel'] = None")
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'rsi_sim[app]'" in proc.stderr  # the brackets survive rich markup
    assert "Traceback" not in proc.stderr


def test_the_command_line_does_not_import_the_web_framework():
    code = ("import sys, rsi_sim.cli\n"
            "print(sorted(m for m in ('panel', 'bokeh', 'tornado', 'selenium', 'param') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr


def test_a_bad_scenario_is_reported_before_serving(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nhorizon: 10 y\ncomponents:\n  software: {r: 99}\n")
    proc = _rsi_sim("app", str(bad), "--port", "0")
    assert proc.returncode == 2
    assert "must be a number between" in proc.stderr and "bad.yaml" in proc.stderr


def test_a_bad_control_is_reported():
    proc = _rsi_sim("app", "--control", "components.software.nope", "--port", "0")
    assert proc.returncode == 2 and "not a parameter" in proc.stderr


def test_a_port_in_use_is_reported():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _rsi_sim("app", "--port", str(port))
    assert proc.returncode == 2, proc.stderr
    assert f"cannot serve on 127.0.0.1:{port}" in proc.stderr
