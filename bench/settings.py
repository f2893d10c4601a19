"""Settings for the benchmark's gunicorn: the app's own production settings, plus the bare view that every throughput
figure is divided by (bench/urls.py). Nothing else changes, so what is measured is what production serves."""

from qms.settings import *  # noqa: F403 - the benchmark serves the app's own settings

ROOT_URLCONF = "bench.urls"
