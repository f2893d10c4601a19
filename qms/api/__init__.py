"""The REST API v1 (spec/api.md): shared conventions, and the endpoints of the shared records."""
