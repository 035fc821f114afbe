"""Fits of rsi_sim's calibration targets to the shipped data (rsi_sim.data)."""

from rsi_sim.calibration.epoch import (
    EpochTrends,
    TrendFigure,
    epoch_trends,
    fit_training_compute_growth,
    frontier_compute_hindcast,
)
from rsi_sim.calibration.metr import (
    TimeHorizonTrend,
    fit_time_horizon,
    hindcast_table,
    metr_doubling_time,
)

__all__ = [
    "EpochTrends",
    "TimeHorizonTrend",
    "TrendFigure",
    "epoch_trends",
    "fit_time_horizon",
    "fit_training_compute_growth",
    "frontier_compute_hindcast",
    "hindcast_table",
    "metr_doubling_time",
]
