"""Continual improvement (ISO 9001:2015 clause 10.3)."""
