"""Settings for the benchmark: the portal's own settings, plus the baseline view's URL.

Used only by ``bench/registration_burst.py`` (``DJANGO_SETTINGS_MODULE=bench.bench_settings``);
everything else — middleware, database, cache, sessions — is exactly the portal's stack.
"""
from forum.settings import *  # noqa: F401,F403 - the same stack, on purpose

ROOT_URLCONF = "bench.bench_urls"
