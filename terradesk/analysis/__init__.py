"""Metrics, balance and optimisation (no Qt)."""
