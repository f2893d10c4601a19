"""Document control (ISO 9001:2015 clause 7.5)."""
