"""``rsi-sim app``: a web page for teaching and exploring takeoff (the ``rsi_sim[app]`` extra).

:mod:`.settings` maps the page's settings (sliders, policy, the address's query) to scenarios and
needs no web framework; :mod:`.results` turns runs into what the page draws and tables;
:mod:`.page` and :mod:`.server` are the Panel page and its server, imported only by
``rsi-sim app`` (see docs/app.md); :mod:`.browser` drives the page from headless Chromium for
the browser tests and the P9 benchmark.
"""
