"""Fits of rsi_sim's calibration targets to the shipped data (rsi_sim.data)."""

from rsi_sim.calibration.metr import (
    TimeHorizonTrend,
    fit_time_horizon,
    hindcast_table,
    metr_doubling_time,
)

__all__ = [
    "TimeHorizonTrend",
    "fit_time_horizon",
    "hindcast_table",
    "metr_doubling_time",
]
