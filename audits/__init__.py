"""Internal audits (ISO 9001:2015 clause 9.2)."""
