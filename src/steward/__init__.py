"""Steward: pupil-data protection for UK schools and academy trusts."""

__version__ = "0.1.0"
