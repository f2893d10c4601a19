"""Quality maturity balance (issue #6): the organisation scored on structure (QMS) and culture (TQM) from live data.

A view across all modules, so it lives on the top floor and reads the apps through their models and selectors.
`scores` computes (pure, as of a date), `chart` draws the trend, `views` shows it.
"""
