"""The API reference page (docs/api.md, mkdocstrings, numpy style) renders what the docstrings
say: parameter descriptions in the description column, no raw reST roles or double backticks."""

import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROLE = re.compile(r":(class|func|meth|mod|data|attr|exc|obj):`")


def _documented() -> list[object]:
    """Every object the API page renders (``::: dotted.name`` with optional members)."""
    text = (ROOT / "docs" / "api.md").read_text()
    out = []
    for block in re.split(r"\n(?=::: )", text):
        m = re.match(r"::: ([\w.]+)", block)
        if not m:
            continue
        path = m.group(1)
        members = re.search(r"members: \[([^\]]+)\]", block)
        try:
            obj = importlib.import_module(path)
        except ImportError:
            module, name = path.rsplit(".", 1)
            obj = getattr(importlib.import_module(module), name)
        out.append(obj)
        if members:
            out += [getattr(obj, n.strip()) for n in members.group(1).split(",")]
    return out


@pytest.mark.parametrize("obj", _documented(), ids=lambda o: getattr(o, "__qualname__", None) or getattr(o, "__name__", repr(o)))
def test_docstrings_on_the_api_page_render_in_markdown(obj):
    docs = [inspect.getdoc(obj) or ""]
    if inspect.isclass(obj):
        docs += [inspect.getdoc(m) or "" for _, m in inspect.getmembers(obj, inspect.isfunction)
                 if m.__qualname__.startswith(obj.__qualname__ + ".") and not m.__name__.startswith("_")]
    for doc in docs:
        assert not ROLE.search(doc), doc[:300]
        assert "``" not in doc, doc[:300]
        in_params = False
        for line in doc.splitlines():
            if line.strip() in ("Parameters", "Other Parameters"):
                in_params = True
            elif line.strip() in ("Returns", "Raises", "Examples", "Yields", "Notes"):
                in_params = False
            elif in_params and not line.startswith(" ") and " : " in line:
                # numpy style reads what follows " : " as the type: a sentence there lands in
                # the Type column of the rendered table
                name, kind = line.split(" : ", 1)
                assert " " not in kind.strip() or "|" in kind, line


def test_the_built_page_has_no_raw_roles(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    import subprocess
    import sys

    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(site)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    page = (site / "api" / "index.html").read_text()
    assert not ROLE.search(page) and "``" not in page
    run = page[page.index('id="rsi_sim.api.run"'):]
    row = run[re.search(r"<td>\s*<code>scenario</code>\s*</td>", run).start():]
    type_cell, description_cell = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[1:3]
    assert "a loaded" not in type_cell and "a loaded" in description_cell
