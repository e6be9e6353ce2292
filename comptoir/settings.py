"""Comptoir settings: 12-factor, with safe local defaults (SQLite in var/)."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("COMPTOIR_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)
# Everyone can read this key: with DEBUG off, Comptoir refuses to start with it (core.checks).
COMPTOIR_DEVELOPMENT_SECRET_KEY = "comptoir-local-development-key-change-me-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", COMPTOIR_DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs assets itself (no CDN)
    "django_tasks",
    "django_tasks_db",
    "comptoir.core",
    "comptoir.parties",
    "comptoir.catalog",
    "comptoir.pricing",
    "comptoir.sales",
    "comptoir.stock",
    "comptoir.purchasing",
    "comptoir.billing",
    "comptoir.payments",
    "comptoir.imports",
    "comptoir.web",
    "comptoir.scheduling",
    "comptoir.backups",
    "comptoir.closings",
    "comptoir.idempotency",
    "comptoir.einvoicing",
    "comptoir.ereporting",
    "comptoir.supplierinvoices",
    "comptoir.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "comptoir.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "comptoir.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "comptoir.core.middleware.HostileInputMiddleware",
    "comptoir.core.access.AccessMiddleware",
    "comptoir.core.audit.AuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "comptoir.idempotency.middleware.IdempotencyMiddleware",
]

ROOT_URLCONF = "comptoir.urls"
WSGI_APPLICATION = "comptoir.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "comptoir.web.context_processors.navigation",
            ],
        },
    },
]

SQLITE_OPTIONS = {
    # IMMEDIATE: a writing transaction takes the write lock when it starts, so two writers
    # never deadlock on a lock upgrade; WAL lets readers go on meanwhile.
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


def database_from_url(url: str | None) -> dict:
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'comptoir.sqlite3'}"
    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
    else:  # a server's connection is kept by each process (checked before reuse), not one a request
        max_age = int(os.environ.get("DATABASE_CONN_MAX_AGE", "600"))
        config |= {"CONN_MAX_AGE": max_age, "CONN_HEALTH_CHECKS": max_age > 0}
    return config


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"))}


def email_from_url(url: str) -> dict:
    """EMAIL_URL: smtp://user:password@host:587 (STARTTLS with ?tls=1), smtps://… (SSL),
    console:// (printed, the local default) or locmem:// (kept in memory, for tests)."""
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    backends = {
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ValueError(f"EMAIL_URL: unknown scheme {parts.scheme!r}")
    query = parse_qs(parts.query)
    return {
        "EMAIL_BACKEND": backends[parts.scheme],
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", ["0"])[0] in {"1", "true", "yes"},
    }


globals().update(email_from_url(os.environ.get("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Comptoir <comptoir@localhost>")
EMAIL_TIMEOUT = 30
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
# Sessions end after a working day without use (COMPTOIR_SESSION_HOURS); cookies are not
# readable by scripts; in production (DEBUG off) they travel over HTTPS only.
SESSION_COOKIE_AGE = int(os.environ.get("COMPTOIR_SESSION_HOURS", "10")) * 3600
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # pages carry their token; no script reads the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_HTTPS_PROXY", False):  # the proxy says the request came over HTTPS
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Failed logins: after this many for one user name from one address, wait (minutes).
COMPTOIR_LOGIN_FAILURES = int(os.environ.get("COMPTOIR_LOGIN_FAILURES", "5"))
COMPTOIR_LOGIN_WAIT_MINUTES = int(os.environ.get("COMPTOIR_LOGIN_WAIT_MINUTES", "15"))

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "comptoir" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"  # uploads (partners' files): never served as static files
# Background jobs (large imports) are rows in the database, run by `comptoir worker`
# (`comptoir serve` starts one beside the web server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Issued documents' PDF and XML are made by the worker right after issuing (else at first use).
COMPTOIR_STORE_FILES_AFTER_ISSUE = env_bool("COMPTOIR_STORE_FILES_AFTER_ISSUE", True)
# Backups: `comptoir backup` without a file, and the scheduled ones the worker makes every
# COMPTOIR_BACKUP_EVERY_HOURS (0: none), go to COMPTOIR_BACKUP_DIR; the KEEP newest are kept.
COMPTOIR_BACKUP_DIR = Path(os.environ.get("COMPTOIR_BACKUP_DIR", VAR_DIR / "backups"))
COMPTOIR_BACKUP_EVERY_HOURS = float(os.environ.get("COMPTOIR_BACKUP_EVERY_HOURS", "0"))
COMPTOIR_BACKUP_KEEP = int(os.environ.get("COMPTOIR_BACKUP_KEEP", "7"))
# The company's key that signs the journal's closings: a file outside the database, made by
# `comptoir journal keygen` (keep a copy elsewhere). While it exists, the worker closes every
# day, month and year; each closing's file is e-mailed to COMPTOIR_CLOSING_EMAIL (empty: none).
COMPTOIR_SIGNING_KEY = Path(os.environ.get("COMPTOIR_SIGNING_KEY", VAR_DIR / "signing-key.pem"))
COMPTOIR_CLOSING_EMAIL = os.environ.get("COMPTOIR_CLOSING_EMAIL", "")
# The approved platform's client secret is encrypted with the key in this file (made at the first
# save, outside the database); new statuses are read from the platform this often.
COMPTOIR_PLATFORM_KEY = Path(os.environ.get("COMPTOIR_PLATFORM_KEY", VAR_DIR / "platform-key"))
COMPTOIR_PLATFORM_POLL_MINUTES = float(os.environ.get("COMPTOIR_PLATFORM_POLL_MINUTES", "15"))
# How old a customer's directory entry may be before sending looks it up again (hours).
COMPTOIR_DIRECTORY_MAX_AGE_HOURS = float(os.environ.get("COMPTOIR_DIRECTORY_MAX_AGE_HOURS", "24"))
COMPTOIR_IMPORT_MAX_BYTES = int(os.environ.get("COMPTOIR_IMPORT_MAX_MB", "100")) * 1_000_000
# What reading a file may take (in the job worker): an XLSX file's unpacked size, a cell's
# length, the rows of a file. A file beyond them is refused with the reason.
COMPTOIR_IMPORT_MAX_UNPACKED_BYTES = (
    int(os.environ.get("COMPTOIR_IMPORT_MAX_UNPACKED_MB", "500")) * 1_000_000
)
COMPTOIR_IMPORT_MAX_CELL_CHARS = int(os.environ.get("COMPTOIR_IMPORT_MAX_CELL_CHARS", "10000"))
COMPTOIR_IMPORT_MAX_ROWS = int(os.environ.get("COMPTOIR_IMPORT_MAX_ROWS", "1000000"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "comptoir.core.static.GzipStaticFilesStorage"},
}
# Static files from their sources; `serve --production` collects them, compressed, into
# STATIC_ROOT and turns this off for its web processes.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
# Front-end packages installed from the npm registry by the setup command (package.json).
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/idiomorph", NODE_MODULES / "idiomorph" / "dist"),
]

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
NINJA_PAGINATION_CLASS = "comptoir.core.pagination.Pagination"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
