"""Settings for the benchmark: the portal's own settings, plus the baseline view's URL.

Used only by ``bench/registration_burst.py`` (``DJANGO_SETTINGS_MODULE=bench.bench_settings``);
everything else — middleware, database, cache, sessions — is exactly the portal's stack.
"""
from forum.settings import *  # noqa: F401,F403 - the same stack, on purpose

ROOT_URLCONF = "bench.bench_urls"

# The time each booking holds the meeting lock (events.services logs it on "events.locks" at
# DEBUG): one line per booking, appended by every gunicorn worker to the file the benchmark
# names, which reads it afterwards (bench/registration_burst.py).
import os as _os  # noqa: E402

_LOCK_LOG = _os.environ.get("BENCH_LOCK_LOG", "")
if _LOCK_LOG:
    LOGGING = {  # noqa: F405 - extends the portal's logging
        **LOGGING,  # noqa: F405
        "formatters": {"held": {"format": "%(held_ms).3f"}},
        "handlers": {
            **LOGGING["handlers"],  # noqa: F405
            "locks": {"class": "logging.FileHandler", "filename": _LOCK_LOG, "formatter": "held"},
        },
        "loggers": {
            **LOGGING["loggers"],  # noqa: F405
            "events.locks": {"handlers": ["locks"], "level": "DEBUG", "propagate": False},
        },
    }
