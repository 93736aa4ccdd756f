"""Settings for the forum portal, read from the environment.

Nothing set gives the embedded default: a SQLite file in the data folder, Celery tasks run
in-process, mail printed to the console and a local-memory cache. DATABASE_URL selects
PostgreSQL (psycopg 3), REDIS_URL makes Redis the cache and the Celery broker, EMAIL_HOST
sends real mail over SMTP. The README lists every variable.
"""
from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from forum.branding import parse_brand_colour, parse_logo

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if not value:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATABASE_URL = env("DATABASE_URL")
REDIS_URL = env("REDIS_URL")

# Debug is on only in the embedded default (no DATABASE_URL), so `make run` needs nothing set;
# any real deployment is off unless it says otherwise.
DEBUG = env_bool("DJANGO_DEBUG", default=not DATABASE_URL)

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-embedded-development-key-never-use-in-production"
# Earlier secrets after a rotation: sessions and reset links keep working, and a voter's
# ballot cast under the old secret is still found when they change it (issues.services).
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

DATA_DIR = Path(env("DJANGO_DATA_DIR", str(BASE_DIR / "data")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "crispy_forms",
    "crispy_bootstrap5",
    "forum",
    "accounts",
    "events",
    "issues",
    "networks",
    "communication",
    "research",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "forum.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Below Locale (the language is part of the key), above CSRF, messages and sessions (it
    # must see the cookies they set): anonymous visitors' public pages (forum/pagecache.py).
    "forum.pagecache.PublicPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last: a refused method gets the portal's error page, rendered with the request's user,
    # language and CSRF token (forum/middleware.py).
    "forum.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "forum.urls"
WSGI_APPLICATION = "forum.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "forum.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(env("DJANGO_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    }
    if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...).")
    # Django's backend, whose health check asks the server only when the connection has
    # something to read (a closed one has): no SELECT 1 before every request (forum/postgresql).
    DATABASES["default"]["ENGINE"] = "forum.postgresql"
    # Parameters travel apart from the statement, and a statement a connection has run five
    # times is prepared on the server, so PostgreSQL stops parsing and planning it again: a
    # registration burst costs the portal and PostgreSQL about a tenth less CPU (bench/README.md,
    # issue 14). Turn off behind a pooler in transaction mode that cannot keep prepared statements.
    if env("DJANGO_DB_SERVER_SIDE_BINDING", "true").lower() == "true":
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "db.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when configured (allauth's rate limits need a shared cache) -----------
def _next_redis_db(url: str) -> str:
    """The same Redis server, next database number: the cache can then be flushed without
    touching the Celery queues in the broker's database."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    current = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{current + 1}"))


if REDIS_URL:
    CACHES = {
        # Redis; while it cannot be reached, the database (forum/cache.py, README "Redis down").
        # Short timeouts: the one request that finds Redis gone waits at most about a second.
        "default": {
            "BACKEND": "forum.cache.RedisWithFallbackCache",
            "LOCATION": env("REDIS_CACHE_URL") or _next_redis_db(REDIS_URL),
            "KEY_PREFIX": env("DJANGO_CACHE_PREFIX", "forum"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
            "FALLBACK": "database",
        },
        # The table forum_cache (forum.models.CacheEntry). High MAX_ENTRIES: culling would drop
        # rate-limit counters under an attack from many addresses.
        "database": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "forum_cache",
            "KEY_PREFIX": env("DJANGO_CACHE_PREFIX", "forum"),
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
if REDIS_URL.startswith("redis://"):
    # kombu's Redis transport without a new client object per published task
    # (forum/kombu_redis.py); other schemes keep kombu's own, which reads them.
    CELERY_BROKER_TRANSPORT = "forum.kombu_redis:Transport"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that lost Redis keeps reconnecting (every 30 s at most) for as long as it takes,
# instead of exiting after Celery's default 100 attempts (about 47 minutes).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A request must never hang because Redis is down. Requests publish through forum.broker:
# one connection attempt bounded by socket_connect_timeout, then the outage is remembered
# for a few seconds and the rows wait for the sweep (README "Redis down").
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 5}
CELERY_TIMEZONE = "Europe/Stockholm"
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "forum.tasks.outbox_sweep", "schedule": 60.0},
    "offers": {"task": "events.tasks.offers_process_all", "schedule": 300.0},
    "invitations-expire": {"task": "events.tasks.invitations_expire", "schedule": 900.0},
    "reminders": {"task": "events.tasks.reminders_send", "schedule": 1800.0},
    "network-reminders": {"task": "networks.tasks.meeting_reminders_send", "schedule": 1800.0},
    "invitation-batches": {"task": "events.tasks.invitation_batches_resume", "schedule": 300.0},
    "votes-close": {"task": "issues.tasks.votes_close_due", "schedule": 60.0},
    "registrations-retention": {"task": "events.tasks.registrations_retention", "schedule": 3600.0},
    "news-mail": {"task": "communication.tasks.news_mail_due", "schedule": 60.0},
    "newsletters": {"task": "communication.tasks.newsletters_due", "schedule": 60.0},
    "survey-reminders": {"task": "communication.tasks.survey_reminders_due", "schedule": 3600.0},
    # Digests at 07:00 Stockholm time (CELERY_TIMEZONE): every day, and on Mondays the weekly one.
    "digests-daily": {"task": "communication.tasks.digests_daily", "schedule": crontab(hour=7, minute=0)},
    "digests-weekly": {"task": "communication.tasks.digests_weekly",
                       "schedule": crontab(hour=7, minute=0, day_of_week="mon")},
}
# Run each time a worker has connected to the broker – at its start and when Redis comes back
# (forum/recovery.py): mail that waited and half-done bulk invitations go on at once.
FORUM_RECOVERY_TASKS = ["forum.tasks.outbox_recover", "events.tasks.invitation_batches_recover"]

# --- Authentication (django-allauth) ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "forum:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# The subject prefix of allauth's mail. Empty: "[<FORUM_SITE_NAME>] " in the mail's language.
# env() strips the value, so accounts.adapter adds the space between prefix and subject.
ACCOUNT_EMAIL_SUBJECT_PREFIX = env("FORUM_EMAIL_SUBJECT_PREFIX") or None
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# Log-in protection (README "Log-in protection"; accounts.adapter.AccountAdapter.pre_authenticate).
# allauth's default counts failed passwords per account alone, so five wrong guesses by anybody,
# from anywhere, locked the account for everyone. Here "key" is the client address *and* the
# account: a stranger elsewhere cannot lock a known user out. A much higher ceiling per account
# alone stops a guessing attack spread over many addresses; log-in by emailed code is never
# counted here, so the owner can always get in that way.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",  # per client address; per client address + account
    "login_failed_account": "100/1h/key",  # per account, from all addresses together
}

# --- Mail -------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Forumportalen <noreply@forum.localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_HOST = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "20"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Outbox retry: the n-th temporary failure waits base * 2**(n-1) seconds (capped).
OUTBOX_RETRY_BASE_SECONDS = int(env("OUTBOX_RETRY_BASE_SECONDS", "30"))
OUTBOX_MAX_ATTEMPTS = int(env("OUTBOX_MAX_ATTEMPTS", "8"))

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
# locale_overrides corrects a few of django-allauth's Swedish messages.
LOCALE_PATHS = [BASE_DIR / "forum" / "locale", BASE_DIR / "forum" / "locale_overrides"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(DATA_DIR / "staticfiles")))
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# A folder with the city's own files (its logo), served as static files under brand/.
FORUM_BRAND_DIR = env("FORUM_BRAND_DIR")
if FORUM_BRAND_DIR:
    if not Path(FORUM_BRAND_DIR).is_dir():
        raise ImproperlyConfigured(f"FORUM_BRAND_DIR {FORUM_BRAND_DIR!r} is not a folder.")
    STATICFILES_DIRS.append(("brand", FORUM_BRAND_DIR))

# Django's renderer with the simplest widgets written in Python (forum/form_renderer.py).
FORM_RENDERER = "forum.form_renderer.PortalFormRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security (production: behind a TLS-terminating proxy) ------------------------------
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# The client's address, for every rate limit (allauth's and the portal's forms, forum.antispam):
# one rule, allauth's. Behind the proxy it is the entry the proxy appended last to
# X-Forwarded-For (the proxies in front of gunicorn are counted from the right); without a
# proxy REMOTE_ADDR. A proxy that sets its own header (X-Real-IP) can be named instead.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("DJANGO_TRUSTED_PROXY_COUNT", "1" if BEHIND_PROXY else "0"))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("DJANGO_CLIENT_IP_HEADER") or None
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions; their per-request read prepared once (forum/sessions.py).
SESSION_ENGINE = "forum.sessions"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Content-Security-Policy (forum/middleware.py): "enforce", "report-only" (violations only
# logged in the browser's console) or "off". Enforced whenever debug is off; with debug on it
# only reports, so Django's debug pages (inline script and style) keep working while a new
# inline script still shows up in the console during development.
# How long a public page may be served to anonymous visitors from the cache after any write
# made it stale by the clock alone (forum/pagecache.py; writes invalidate at once). 0: off.
FORUM_PAGE_CACHE_SECONDS = int(env("FORUM_PAGE_CACHE_SECONDS", "10"))
FORUM_CSP = env("FORUM_CSP", "report-only" if DEBUG else "enforce")
if FORUM_CSP not in {"enforce", "report-only", "off"}:
    raise ImproperlyConfigured(f"FORUM_CSP must be enforce, report-only or off, not {FORUM_CSP!r}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Registrations of past meetings: dietary and accessibility needs are deleted once the meeting
# is over; names, addresses and links are anonymised this many days after it.
FORUM_REGISTRATION_RETENTION_DAYS = int(env("FORUM_REGISTRATION_RETENTION_DAYS", "365"))

# Shown on the accessibility statement and in mail footers; Reply-To of mail about no forum
# or a forum without coordinators (forum/mail.py).
FORUM_CONTACT_EMAIL = env("FORUM_CONTACT_EMAIL", "forum@example.se")
# The city as mail names its sender ("11:11 – Meet Malmö, Malmö stad"); empty: the forum's municipality.
FORUM_CITY_NAME = env("FORUM_CITY_NAME")
FORUM_ACCESSIBILITY_EMAIL = env("FORUM_ACCESSIBILITY_EMAIL", FORUM_CONTACT_EMAIL)
# Absolute base URL used in links inside mail sent outside a request; its host is the site's
# domain in mail.
FORUM_SITE_URL = env("FORUM_SITE_URL", "http://127.0.0.1:8000")

# Forms that send mail without log-in (forum.antispam): how often one sender may send each form
# (per client address when anonymous, per user when logged in) and how often mail may go to one
# address, as allauth's rates: "<count>/<period>" with s, m, h or d, several separated by commas,
# empty for no limit. A form also needs at least FORUM_FORM_MIN_SECONDS between showing the page
# and sending it; a page older than FORUM_FORM_MAX_AGE_SECONDS is shown again to be re-sent.
FORUM_FORM_RATE_LIMITS = {
    "ip": env("FORUM_FORM_RATE_LIMIT_IP", "5/10m"),
    "user": env("FORUM_FORM_RATE_LIMIT_USER", "20/10m"),
    "address": env("FORUM_FORM_RATE_LIMIT_ADDRESS", "3/1h"),
}
FORUM_FORM_MIN_SECONDS = float(env("FORUM_FORM_MIN_SECONDS", "3"))
FORUM_FORM_MAX_AGE_SECONDS = int(env("FORUM_FORM_MAX_AGE_SECONDS", str(24 * 3600)))

# --- The city's own look (forum/branding.py; the README's configuration table) ------------
# The portal's name in the header, page titles and mail; empty: "Forumportalen" / "Forum portal".
FORUM_SITE_NAME = env("FORUM_SITE_NAME")
# The logo left of the name: a static file path ("brand/logo.svg") or a path on the portal.
FORUM_LOGO = parse_logo(env("FORUM_LOGO"))
# The colour of the header, buttons and links (#rrggbb); refused at start-up below 4.5:1
# against white. Empty: the portal's own blue.
FORUM_BRAND_COLOUR = parse_brand_colour(env("FORUM_BRAND_COLOUR"))

# Django's own CSRF failure page has inline style, which the Content-Security-Policy blocks.
CSRF_FAILURE_VIEW = "forum.views.csrf_failure"
