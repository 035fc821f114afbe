"""The page one browser session sees: Panel widgets generated from the catalog's controls, Bokeh
curves updated in place (only the new numbers travel to the browser), the milestone table, the
ensemble band computed in the background, and downloads of what is shown.

Every object here belongs to one session: :class:`TakeoffPage` is built anew for each.
"""

from __future__ import annotations

import contextlib
import html
import re
import tempfile
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import panel as pn
import param
import xarray as xr
from bokeh.layouts import gridplot
from bokeh.models import ColumnDataSource, DataRange1d, HoverTool, Range1d
from bokeh.plotting import figure

from .. import io as rsi_io
from ..api import run
from ..core.errors import RsiSimError
from ..ensemble import run_ensemble
from ..scenario import Scenario
from . import results
from .settings import AXES, NO_POLICY, Catalog, Control

#: Samples of the ensemble band: a small count, for a band in a second or two.
BAND_SAMPLES = 32
#: Runs kept per session (moving a slider back shows a kept run at once).
KEPT_RUNS = 6

COLOUR, PARENT_COLOUR, PAUSED_COLOUR = "#0173b2", "#7f7f7f", "#de8f05"
MUTED = {"color": "#666", "font-size": "0.85em"}

CSS = """
.rsi-table { border-collapse: collapse; font-size: 0.9em; }
.rsi-table th, .rsi-table td { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; }
.rsi-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.rsi-error { color: #8b0000; background: #fdecea; border: 1px solid #f5c2c0; border-radius: 4px;
             padding: 8px 12px; white-space: pre-wrap; }
.rsi-note { color: #6b4e00; background: #fff8e1; border-radius: 4px; padding: 6px 12px; }
.rsi-muted { color: #666; font-size: 0.85em; }
"""


class _Cancelled(Exception):
    """The band being computed is no longer wanted (settings changed or the session ended)."""


def message(exc: BaseException) -> str:
    """What the command line prints for ``exc``: the user's error, or a bug said plainly."""
    if isinstance(exc, RsiSimError):
        return f"error: {exc}"
    return (f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in rsi_sim; the server's "
            "log has the traceback; please report it.")


def _html(text: str = "", **kwargs):
    """An HTML pane styled by :data:`CSS` (each pane has its own shadow root, so its own sheet)."""
    return pn.pane.HTML(text, stylesheets=[CSS], **kwargs)


def _legend(panel: int, text: str) -> dict[str, str]:
    """A legend entry on the first panel only."""
    return {"legend_label": text} if panel == 0 else {}


def brief(text: str, limit: int = 320) -> str:
    """``text`` up to the last sentence end within ``limit`` characters (else a word, and …).

    >>> brief("First sentence here. The second one is long.", 30)
    'First sentence here.'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = cut.rfind(". ")
    if end > limit // 3:
        return cut[: end + 1]
    return cut.rsplit(" ", 1)[0] + " …"


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_.") or "scenario"


class TakeoffPage:
    """One session's page.

    Parameters
    ----------
    catalog : what the server offers (the same for every session; never changed here).
    query : the address's query parameters (``pn.state.session_args`` in a served page).
    band_executor : where ensemble bands run in the background (one shared worker thread in
        the server); ``None`` runs them at once, in the caller (tests, benchmarks).
    fixed_ranges : y ranges of the fixed axes by variable (default: computed from a run of the
        scenario at its own values).
    location : the page's ``pn.state.location``, whose query is kept in step with the settings.
    """

    def __init__(self, catalog: Catalog, query: dict[str, Any] | None = None, *,
                 band_executor: Executor | None = None,
                 fixed_ranges: dict[str, tuple[float, float]] | None = None,
                 location: Any = None, doc: Any = None):
        self.catalog = catalog
        self.location = location
        self.doc = doc
        self.band_executor = band_executor
        self.state, notes = catalog.read_query(query or {})
        self.runs: OrderedDict[str, xr.Dataset] = OrderedDict()
        self.bands: OrderedDict[str, tuple[dict, xr.Dataset]] = OrderedDict()
        self.band_token = 0
        self.band_key: str | None = None
        self.shown: Scenario | None = None
        self.ds: xr.Dataset | None = None
        self.parent_ds: xr.Dataset | None = None
        self.ens: xr.Dataset | None = None
        self.updates = 0
        self._quiet = False
        self.last_update_seconds = 0.0
        self._lock = threading.Lock()

        reference = run(catalog.base)
        self.variables = results.takeoff_variables(reference)
        self.labels = {v: results.axis_label(reference, v) for v in self.variables}
        self.fixed_ranges = fixed_ranges or fixed_axis_ranges(reference, self.variables)
        self.descriptions = {name: m.description for name, m in catalog.base.spec.milestones.items()}

        self._build_widgets()
        self._build_figures(reference)
        self.notes.object = "".join(f'<div class="rsi-note">{html.escape(n)}</div>' for n in notes)
        self.notes.visible = bool(notes)
        self.layout = self._layout()
        self.update()

    # -- widgets ------------------------------------------------------------------------------

    def _slider(self, control: Control):
        value = self.state.values.get(control.path, control.value)
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else control.value
        common = dict(label=control.label, start=control.low, end=control.high, step=control.step,
                      sizing_mode="stretch_width")
        if control.log:
            from bokeh.models import CustomJSTickFormatter

            widget = pn.widgets.FloatSlider(
                value=control.to_slider(number), format=CustomJSTickFormatter(
                    code="return Number(Math.pow(10, tick).toPrecision(3)).toString()"), **common)
        elif control.param.kind is int:
            widget = pn.widgets.EditableIntSlider(value=int(round(number)), **common)
        else:
            widget = pn.widgets.EditableFloatSlider(value=float(number), **common)
        # value_throttled: once a slider is let go (not at every pixel of a drag), or a value is
        # typed into the box.
        widget.param.watch(lambda event, c=control: self._on_slider(c, event.new), "value_throttled")
        return widget

    def _build_widgets(self) -> None:
        catalog, state = self.catalog, self.state
        self.sliders = {c.path: self._slider(c) for c in catalog.controls}
        if catalog.own_policies:
            on = list(catalog.own_policies if state.own_policies is None else state.own_policies)
            self.policy = pn.widgets.CheckBoxGroup(label="the scenario's policies", value=on,
                                                   options=list(catalog.own_policies), inline=False)
            self.policy.param.watch(self._on_own_policies, "value")
        else:
            self.policy = pn.widgets.Select(
                options=catalog.policy_names, value=state.policy,
                description="a shipped policy scenario, applied to this scenario (what the file "
                            "adds to the scenario it extends)", sizing_mode="stretch_width")
            self.policy.param.watch(self._on_policy, "value")
        self.policy_text = _html("", styles=MUTED, sizing_mode="stretch_width")
        self.compare = pn.widgets.Checkbox(label="compare with the scenario without the policy",
                                           value=state.compare)
        self.compare.param.watch(lambda e: self._set(compare=e.new), "value")
        self.axes = pn.widgets.RadioButtonGroup(label="axes", options=list(AXES), value=state.axes)
        self.axes.param.watch(lambda e: self._set(axes=e.new), "value")
        self.band = pn.widgets.Checkbox(label=f"ensemble band ({BAND_SAMPLES} samples)", value=state.band)
        self.band.param.watch(lambda e: self._set(band=e.new), "value")
        self.reset = pn.widgets.Button(label="reset values")
        self.reset.on_click(self._on_reset)
        self.progress = pn.indicators.Progress(value=0, max=BAND_SAMPLES,
                                               sizing_mode="stretch_width", visible=False)
        self.band_text = _html("", styles=MUTED, sizing_mode="stretch_width")
        self.error = _html("", visible=False, sizing_mode="stretch_width")
        self.notes = _html("", visible=False, sizing_mode="stretch_width")
        self.table = _html("", sizing_mode="stretch_width")
        self.status = _html("", styles=MUTED, sizing_mode="stretch_width")
        self.download_yaml = pn.widgets.FileDownload(callback=self._yaml_file, filename="scenario.yaml",
                                                     label="scenario (YAML)", color="primary")
        self.download_nc = pn.widgets.FileDownload(callback=self._netcdf_file, filename="results.nc",
                                                   label="results (netCDF)", color="primary")
        self.rerun = _html("", styles=MUTED, sizing_mode="stretch_width")

    def _layout(self):
        base = self.catalog.base
        head = _html(f"<h2 style='margin:0'>rsi_sim — {html.escape(base.name)}</h2>"
                            f"<div class='rsi-muted'>{html.escape(brief(base.spec.description))}</div>",
                            sizing_mode="stretch_width")
        side = pn.Column(
            _html("<b>parameters</b> <span class='rsi-muted'>(hover ? for meaning, unit, "
                         "bounds and source)</span>"),
            *[pn.Row(self.sliders[c.path], pn.widgets.TooltipIcon(value=c.tooltip, margin=(22, 0, 0, 0)),
                     sizing_mode="stretch_width") for c in self.catalog.controls],
            self.reset, pn.layout.Divider(),
            _html("<b>policy</b>" if not self.catalog.own_policies else
                  "<b>the scenario's policies</b> <span class='rsi-muted'>(switch each on or off)</span>"),
            self.policy, self.policy_text, self.compare, pn.layout.Divider(),
            _html("<b>axes</b>"), self.axes, self.band, self.progress, self.band_text,
            width=360)
        main = pn.Column(head, self.notes, self.error, self.plot, _html("<b>milestones</b>"),
                         self.table, pn.Row(self.download_yaml, self.download_nc), self.rerun,
                         self.status, sizing_mode="stretch_width")
        return pn.Row(side, main, sizing_mode="stretch_width", stylesheets=[CSS])

    # -- figures ------------------------------------------------------------------------------

    def _build_figures(self, reference: xr.Dataset) -> None:
        empty = {"x": [], **{v: [] for v in self.variables}}
        self.run_source = ColumnDataSource(empty, name="run")
        self.parent_source = ColumnDataSource(empty, name="parent")
        self.band_source = ColumnDataSource({"x": [], **{f"{v}_{e}": [] for v in self.variables
                                                         for e in ("lo", "hi")}}, name="band")
        self.paused_source = ColumnDataSource({"x0": [], "x1": []}, name="paused")
        self.marks_source = ColumnDataSource({"x": [], "name": [], "date": [], **{v: [] for v in self.variables}},
                                             name="milestones")
        t = reference["time"].values
        self.x_range = Range1d(*results.to_ms([t[0], t[-1]]))
        self.figures, self.auto_ranges = [], []
        for i, var in enumerate(self.variables):
            fig = figure(height=230, sizing_mode="stretch_width", x_axis_type="datetime",
                         y_axis_type="log", x_range=self.x_range, tools="pan,wheel_zoom,box_zoom,reset,save",
                         toolbar_location="right", name=f"figure_{var}")
            fig.yaxis.axis_label = self.labels[var]
            fig.yaxis.minor_tick_line_color = None
            fig.vstrip(x0="x0", x1="x1", source=self.paused_source, fill_color=PAUSED_COLOUR,
                                fill_alpha=0.18, line_alpha=0, name=f"paused_{var}",
                                **_legend(i, "training paused"))
            area = fig.varea(x="x", y1=f"{var}_lo", y2=f"{var}_hi", source=self.band_source, color=COLOUR,
                             fill_alpha=0.18, name=f"band_{var}",
                             **_legend(i, "ensemble 10–90%"))
            parent = fig.line("x", var, source=self.parent_source, color=PARENT_COLOUR, line_width=1.8,
                              line_dash="dashed", name=f"parent_{var}",
                              **_legend(i, "without the policy"))
            line = fig.line("x", var, source=self.run_source, color=COLOUR, line_width=2.2,
                            name=f"run_{var}", **_legend(i, "this run"))
            marks = fig.scatter("x", var, source=self.marks_source, size=8, color=COLOUR,
                                line_color="black", name=f"milestones_{var}")
            fig.add_tools(HoverTool(renderers=[marks], tooltips=[("milestone", "@name"), ("date", "@date")]))
            fig.add_tools(HoverTool(renderers=[line], tooltips=[("date", "@x{%F}"), (var, f"@{var}{{0.000a}}")],
                                    formatters={"@x": "datetime"}, mode="vline"))
            auto = DataRange1d(renderers=[line, parent, area], range_padding=0.1)
            self.auto_ranges.append(auto)
            fig.y_range = auto
            if i == 0:
                fig.legend.location = "top_left"
                fig.legend.background_fill_alpha = 0.7
                fig.legend.label_text_font_size = "9pt"
            if i < len(self.variables) - 1:
                fig.xaxis.major_label_text_font_size = "0pt"
            self.figures.append(fig)
        self.fixed = [Range1d(*self.fixed_ranges[v]) for v in self.variables]
        grid = gridplot([[f] for f in self.figures], merge_tools=True, toolbar_location="right",
                        sizing_mode="stretch_width")
        self.plot = pn.pane.Bokeh(grid, sizing_mode="stretch_width")

    # -- events -------------------------------------------------------------------------------

    def _on_slider(self, control: Control, x: float) -> None:
        if x is None or self._quiet:
            return
        self._set_value(control, control.from_slider(x))

    def _set_value(self, control: Control, value: float) -> None:
        values = dict(self.state.values)
        if value == control.value:
            values.pop(control.path, None)
        else:
            values[control.path] = value
        self.state = replace(self.state, values=values)
        self.update()

    def _on_policy(self, event) -> None:
        self._set(policy=event.new)

    def _on_own_policies(self, event) -> None:
        self._set(own_policies=tuple(n for n in self.catalog.own_policies if n in event.new))

    def _on_reset(self, _event=None) -> None:
        self.state = replace(self.state, values={})
        self._quiet = True
        try:
            for control in self.catalog.controls:
                x = control.to_slider(control.value) if control.log else control.value
                with param.edit_constant(self.sliders[control.path]):
                    self.sliders[control.path].param.update(value=x, value_throttled=x)
        finally:
            self._quiet = False
        self.update()

    def _set(self, **changes) -> None:
        self.state = replace(self.state, **changes)
        self.update()

    # -- running ------------------------------------------------------------------------------

    def _run(self, scenario: Scenario) -> xr.Dataset:
        key = scenario.to_yaml()
        if key in self.runs:
            self.runs.move_to_end(key)
            return self.runs[key]
        ds = run(scenario)
        self.runs[key] = ds
        while len(self.runs) > KEPT_RUNS:
            self.runs.popitem(last=False)
        return ds

    def update(self) -> None:
        """Run what the settings say and redraw: curves, shading, table, downloads, address."""
        with self._lock, (pn.io.hold(self.doc) if self.doc is not None else contextlib.nullcontext()):
            # held: every change of this update reaches the browser as one message
            t0 = time.perf_counter()
            self._sync_address()
            self._describe_policy()
            try:
                shown, parent = self.catalog.resolve(self.state)
                ds = self._run(shown)
                parent_ds = self._run(parent) if parent is not None else None
            except Exception as exc:  # bad input or a failing run: said inline, the server goes on
                if not isinstance(exc, RsiSimError):
                    traceback.print_exc()
                self._show_error(message(exc))
                return
            self.shown, self.ds, self.parent_ds = shown, ds, parent_ds
            self._draw()
            self.updates += 1
            self.last_update_seconds = time.perf_counter() - t0
            self.status.object = (f'<span id="status" data-updates="{self.updates}">'
                                  f"{html.escape(shown.name)}, seed {ds.attrs.get('seed')}: update "
                                  f"{self.updates} took {self.last_update_seconds * 1e3:.0f} ms</span>")
        self._schedule_band()

    def _show_error(self, message: str) -> None:
        self.error.object = f'<div class="rsi-error" role="alert">{html.escape(message)}</div>'
        self.error.visible = True
        if self.ds is not None:
            self.table.object = ("<div class='rsi-muted'>(the curves and table show the last "
                                 "settings that ran)</div>" + self._table_html())
        self._apply_axes()

    def _draw(self) -> None:
        ds, parent = self.ds, self.parent_ds
        self.error.visible = False
        self.run_source.data = results.curves(ds, self.variables)
        self.parent_source.data = (results.curves(parent, self.variables) if parent is not None
                                   else {"x": [], **{v: [] for v in self.variables}})
        periods = results.paused_periods(ds)
        self.paused_source.data = {"x0": [float(results.to_ms(lo)[0]) for lo, _ in periods],
                                   "x1": [float(results.to_ms(hi)[0]) for _, hi in periods]}
        self.marks_source.data = results.milestone_points(ds, self.variables)
        t = ds["time"].values
        self.x_range.update(start=float(results.to_ms(t[0])[0]), end=float(results.to_ms(t[-1])[0]))
        self._apply_axes()
        self.table.object = self._table_html()
        name = _slug(self.shown.name)
        self.download_yaml.filename = f"{name}.yaml"
        self.download_nc.filename = f"{name}.nc"
        self.rerun.object = (f"rerun what the page shows: <code>rsi-sim run {html.escape(name)}.yaml "
                             f"-o {html.escape(name)}.nc</code>")

    def _apply_axes(self) -> None:
        ranges = self.fixed if self.state.axes == "fixed" else self.auto_ranges
        for fig, rng in zip(self.figures, ranges, strict=True):
            if fig.y_range is not rng:
                fig.y_range = rng

    def _table_html(self) -> str:
        if self.ds is None:
            return ""
        rows = results.milestone_rows(self.ds, self.parent_ds, self.ens if self.state.band else None,
                                      self.descriptions)
        parent = self.parent_ds is not None
        band = self.ens is not None and self.state.band
        head = ["milestone", "date"] + (["without the policy", "delay"] if parent else []) \
            + ([f"ensemble median ({self.ens.sizes['sample']} samples)"] if band else [])
        out = ['<table class="rsi-table" id="milestones"><thead><tr>']
        out += [f"<th>{html.escape(h)}</th>" for h in head] + ["</tr></thead><tbody>"]
        for row in rows:
            cells = [f'<td title="{html.escape(row.description)}">{html.escape(row.name)}</td>',
                     f'<td class="num date">{row.date}</td>']
            if parent:
                cells += [f'<td class="num">{row.parent_date}</td>', f'<td class="num delay">{row.delay}</td>']
            if band:
                cells.append(f'<td class="num">{html.escape(row.ensemble or "")}</td>')
            out.append(f'<tr data-milestone="{html.escape(row.name)}">{"".join(cells)}</tr>')
        paused = results.time_paused(self.ds)
        if paused > 0 or parent:
            span = len(head) - 1
            out.append(f'<tr class="paused"><td>training paused</td><td class="num" colspan="{span}">'
                       f"{paused:.2f} years in {len(results.paused_periods(self.ds))} periods</td></tr>")
        out.append("</tbody></table>")
        return "".join(out)

    def _describe_policy(self) -> None:
        if self.catalog.own_policies:
            on = self.policy.value
            self.policy_text.object = html.escape(
                f"{len(on)} of {len(self.catalog.own_policies)} policies on") if on is not None else ""
            return
        choice = self.catalog.choices.get(self.state.policy)
        text = "" if choice is None else brief(choice.description, 360)
        if choice is not None:
            text = f"from {choice.file}: {text}"
        self.policy_text.object = html.escape(text)
        self.compare.disabled = self.state.policy == NO_POLICY

    def _sync_address(self) -> None:
        if self.location is None:
            return
        query = self.catalog.query(self.state)
        search = f"?{urlencode(query)}" if query else ""
        if self.location.search != search:
            self.location.search = search

    # -- the ensemble band --------------------------------------------------------------------

    def _schedule_band(self) -> None:
        if not self.state.band:
            self.band_token += 1
            self.band_key = None
            self.band_source.data = {k: [] for k in self.band_source.data}
            self.progress.visible = False
            self._band_status("")
            return
        try:
            scenario = self.catalog.band_scenario(self.state)
        except RsiSimError as exc:
            self._band_status(html.escape(f"no ensemble band: {exc}"))
            return
        if not scenario.spec.uncertainty:
            self._band_status("no ensemble band: this scenario has no uncertainty: section")
            return
        key = scenario.to_yaml()
        if key == self.band_key:
            return
        self.band_key = key
        self.band_token += 1
        token = self.band_token
        if key in self.bands:
            self.bands.move_to_end(key)
            self._band_done(token, *self.bands[key])
            return
        self.progress.param.update(value=0, visible=True, active=True)
        self._band_status(f"ensemble band: 0 of {BAND_SAMPLES} samples")
        self.band_source.data = {k: [] for k in self.band_source.data}
        self.ens = None
        job = self._band_job(token, key, scenario)
        if self.band_executor is None:
            job()
        else:
            self.band_executor.submit(job)

    def _band_job(self, token: int, key: str, scenario: Scenario) -> Callable[[], None]:
        def progress(done: int, total: int) -> None:
            if token != self.band_token:
                raise _Cancelled
            self._later(self._band_progress, token, done, total)

        def job() -> None:
            if token != self.band_token:
                return
            try:
                ens = run_ensemble(scenario, BAND_SAMPLES, batch_size=1, vectorized=False,
                                   progress=progress)
                data = results.band(ens, self.variables)
                ens = ens[["milestone_year"]].load()
            except _Cancelled:
                return
            except Exception as exc:
                if not isinstance(exc, RsiSimError):
                    traceback.print_exc()
                self._later(self._band_failed, token, message(exc))
                return
            self._later(self._band_done, token, data, ens, key)

        return job

    def _later(self, fn, *args) -> None:
        """Call ``fn(*args)`` on the session's own event loop (from the band's worker thread)."""
        if self.doc is None:
            fn(*args)
        else:
            self.doc.add_next_tick_callback(lambda: fn(*args))

    def _band_progress(self, token: int, done: int, total: int) -> None:
        if token == self.band_token:
            self.progress.param.update(value=done, max=total)
            self._band_status(f"ensemble band: {done} of {total} samples")

    def _band_failed(self, token: int, message: str) -> None:
        if token == self.band_token:
            self.progress.visible = False
            self._band_status(html.escape(f"no ensemble band: {message}"))

    def _band_done(self, token: int, data: dict, ens: xr.Dataset, key: str | None = None) -> None:
        if token != self.band_token:
            return
        if key is not None:
            self.bands[key] = (data, ens)
            while len(self.bands) > 2:
                self.bands.popitem(last=False)
        self.ens = ens
        self.band_source.data = data
        self.progress.param.update(visible=False, active=False)
        self._band_status(f"ensemble band: 10–90% of {ens.sizes['sample']} samples over the "
                          "scenario's uncertainty: section (sampled parameters vary; the policy "
                          "and other values are as set)")
        self.table.object = self._table_html()

    def _band_status(self, text: str) -> None:
        """The line under the progress bar (``text`` is HTML)."""
        self.band_text.object = f'<span class="rsi-band">{text}</span>' if text else ""

    def cancel(self) -> None:
        """Stop work for this session (it ended): a running band stops after its next sample."""
        self.band_token += 1

    # -- downloads ----------------------------------------------------------------------------

    def _yaml_file(self) -> BytesIO:
        return BytesIO((self.shown.to_yaml() if self.shown is not None else "").encode())

    def _netcdf_file(self) -> BytesIO:
        with tempfile.TemporaryDirectory(prefix="rsi-sim-app-") as tmp:
            path = Path(tmp) / "results.nc"
            rsi_io.write(self.ds, path)
            return BytesIO(path.read_bytes())


def fixed_axis_ranges(ds: xr.Dataset, variables: list[str]) -> dict[str, tuple[float, float]]:
    """The fixed axes: each variable's range over a run of the scenario at its own values, with
    a decade of room below and two above (a faster takeoff leaves through the top)."""
    import numpy as np

    out = {}
    for v in variables:
        y = results.positive(ds[v].values)
        y = y[np.isfinite(y)]
        lo, hi = (float(y.min()), float(y.max())) if y.size else (1e-3, 1e3)
        out[v] = (lo / 10, hi * 100)
    return out
