"""Management review (ISO 9001 9.3): inputs assembled from live data, the meeting's decisions, signed by top management.

An app of its own (label `reviews`) on the top floor: it reads every module and turns decisions into their records.
"""
