"""Records of nonconformity and CAPA. The module's records arrive with its own issue; the app exists so the layout is stable."""
