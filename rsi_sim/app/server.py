"""Serving the page: one :class:`~rsi_sim.app.page.TakeoffPage` per browser session, on a
Panel (Bokeh/Tornado) server bound to one address."""

from __future__ import annotations

import html
import socket
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import panel as pn

from ..api import run
from ..core.errors import RsiSimError
from . import results
from .page import TakeoffPage, fixed_axis_ranges, message
from .settings import Catalog


def free_port(host: str) -> int:
    """A port free on ``host`` now (for ``--port 0``)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def session_factory(catalog: Catalog) -> Callable[[], object]:
    """What the server calls for each new browser session: a page of its own."""
    reference = run(catalog.base)
    ranges = fixed_axis_ranges(reference, results.takeoff_variables(reference))
    # One worker thread for every session's ensemble band: bands queue instead of competing
    # with each other (and with the sliders) for the two cores.
    bands = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rsi-sim-band")

    def session():
        try:
            page = TakeoffPage(catalog, dict(pn.state.session_args or {}), band_executor=bands,
                               fixed_ranges=ranges, location=pn.state.location, doc=pn.state.curdoc)
        except Exception as exc:  # the browser gets the message, the server's log the traceback
            traceback.print_exc()
            return pn.pane.HTML(f"<pre>{html.escape(message(exc))}</pre>")
        pn.state.on_session_destroyed(lambda _context: page.cancel())
        return page.layout

    return session


def serve(scenario: str | Path | None = None, *, host: str = "127.0.0.1", port: int = 5006,
          controls: Iterable[str] | None = None, echo: Callable[[str], None] = print) -> None:
    """Serve the page for ``scenario`` (default: the shipped baseline) until interrupted."""
    catalog = Catalog.load(scenario, controls)
    try:
        port = free_port(host) if port == 0 else port
        origins = sorted({f"{host}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"})
        server = pn.serve(session_factory(catalog), port=port, address=host, show=False, start=False,
                          title=f"rsi_sim — {catalog.base.name}", websocket_origin=origins,
                          verbose=False)
    except OSError as exc:
        raise RsiSimError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    shown = f"[{host}]" if ":" in host else host
    echo(f"rsi-sim app: {catalog.base.name} at http://{shown}:{port}/ (Ctrl-C stops the server)")
    try:
        server.io_loop.start()
    finally:
        server.stop()
