"""rsi_sim: simulate recursive self-improvement of AI as a discrete-event simulation."""
__version__ = "0.1.0"
