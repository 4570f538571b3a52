"""TerraDesk: desktop territory planning."""

__version__ = "0.1.0"
