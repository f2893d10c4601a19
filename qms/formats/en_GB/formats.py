"""British English, except that dates in forms are ISO 8601 first.

A browser's `<input type="date">` reads and writes only `YYYY-MM-DD`; with Django's en-GB default (`%d/%m/%Y` first) a
pre-filled date input would show empty. Pages still show dates as the templates format them.
"""

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
]
