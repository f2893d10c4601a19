"""The quality manager's dashboard (ISO 9001 9.1, issue #7): documents, audits, CAPA and improvement measured over a
period, every number a link to the records behind it.

A view across all modules, so it lives on the top floor and reads the apps through their querysets and selectors.
`metrics` computes every number for a period and a user (a fixed number of aggregate queries), `charts` lays out the
inline SVG charts and the heat map, `views` shows them.
"""
