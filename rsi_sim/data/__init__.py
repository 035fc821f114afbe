"""Calibration tables shipped with rsi_sim, and loaders for them.

Each table is a CSV in this package whose rows carry their source; see ``README.md`` here for
what each file is, its licence and how far to trust it. Tables are read through
``importlib.resources``, so they work from a wheel or a zip and never from an outside folder.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["available_tables", "load_table", "metr_time_horizons"]

_PACKAGE = __name__


def available_tables() -> list[str]:
    """Names of the shipped tables, sorted.

    Returns
    -------
    list of str
        Names accepted by :func:`load_table` (file names without ``.csv``).

    Examples
    --------
    >>> "metr_time_horizons" in available_tables()
    True
    """
    return sorted(
        entry.name.removesuffix(".csv")
        for entry in resources.files(_PACKAGE).iterdir()
        if entry.name.endswith(".csv")
    )


def load_table(name: str) -> pd.DataFrame:
    """Load a shipped calibration table as it is stored, source columns included.

    Parameters
    ----------
    name : str
        Table name, with or without ``.csv``, e.g. ``"epoch_trends"``.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    KeyError
        If no table has that name; the message lists the tables there are.

    Examples
    --------
    >>> table = load_table("metr_doubling_times")
    >>> "source" in table.columns
    True
    """
    stem = name.removesuffix(".csv")
    names = available_tables()
    if stem not in names:
        raise KeyError(
            f"No calibration table named {name!r}. Available tables: {', '.join(names)}."
        )
    with resources.files(_PACKAGE).joinpath(f"{stem}.csv").open("rb") as handle:
        return pd.read_csv(handle)


def metr_time_horizons(suite: str = "TH1.1") -> pd.DataFrame:
    """METR 50% and 80% time horizons of one task suite, with parsed release dates.

    Parameters
    ----------
    suite : {"TH1.1", "TH1.0"}
        METR task suite. TH1.1 is the 2026-05-08 vintage of METR's results file; METR re-fits
        every model at each vintage, so the two suites are not interchangeable.

    Returns
    -------
    pandas.DataFrame
        One row per model, sorted by release date: ``model_key``, ``model``, ``release_date``
        (datetime64), ``is_sota`` (bool), ``p50_minutes``, ``p50_ci95_low``, ``p50_ci95_high``,
        the same for p80, ``average_score``, ``note``, ``source``.

    Raises
    ------
    ValueError
        If the suite is not in the table.

    Examples
    --------
    >>> th = metr_time_horizons()
    >>> th.loc[th["model_key"] == "gpt_4", "p50_minutes"].round(2).item()
    3.99
    """
    table = load_table("metr_time_horizons")
    suites = sorted(table["suite"].unique())
    if suite not in suites:
        raise ValueError(f"Unknown METR suite {suite!r}; the table has {', '.join(suites)}.")
    rows = table[table["suite"] == suite].drop(columns="suite").copy()
    rows["release_date"] = pd.to_datetime(rows["release_date"], format="%Y-%m-%d")
    # read_csv already gives bool for a clean True/False column; be explicit so a stray blank
    # cannot silently turn the SOTA filter into an object comparison.
    rows["is_sota"] = rows["is_sota"].astype(str).str.strip().str.lower().eq("true")
    return rows.sort_values(["release_date", "model_key"], kind="stable").reset_index(drop=True)
