"""Moving an existing quality system in: master lists (CSV) and their files (a ZIP), checked in full before anything
is written, then written all or nothing.

Each kind of import (`documents` first) names its columns and says, row by row, what it would create, what it would
skip because an earlier run already brought it in, and what is wrong, line by line (`report.Report`). The same check
runs again inside the transaction that writes, so a dry run and the real run cannot disagree. `tables` reads the CSV
in whatever encoding and delimiter a spreadsheet wrote it; `archives` opens the ZIP without trusting its names or its
sizes. This is the top floor: it writes through the apps' own services.
"""
