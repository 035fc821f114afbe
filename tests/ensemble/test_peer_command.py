"""The one command that produces docs/validation.md's "baseline against the peers" column runs
as written (fewer samples, in-process) and yields every milestone the table reports."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import xarray as xr

ROOT = Path(__file__).resolve().parents[2]


def peer_command() -> list[str]:
    text = (ROOT / "docs" / "validation.md").read_text()
    section = text.split("## The baseline against the peers", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return shlex.split(block.replace("\\\n", " "))


def test_the_documented_peer_command_runs_and_reports_the_tables_milestones(cli, tmp_path):
    args = peer_command()
    assert args[:3] == ["rsi-sim", "ensemble", "baseline"] and "--samples" in args
    args = args[1:]
    args[args.index("--samples") + 1] = "12"  # the documented 1,000, cut to a test's budget
    args[args.index("--engine") + 1] = "sequential"
    out = tmp_path / "peers.zarr"
    args[args.index("-o") + 1] = str(out)
    result = cli(*args)
    assert result.exit_code == 0, result.output
    milestones = set(xr.open_zarr(out)["milestone"].values.tolist())
    assert {"SC", "SAR", "SIAR", "ASI", "automation_99"} <= milestones
