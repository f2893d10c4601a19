"""Records of this module arrive with its own issue; the app exists now so that the layout is stable."""
