"""Egenmakt settings. Everything that differs between machines comes from the environment.

Local defaults are safe for a developer laptop: SQLite in ./var, DEBUG on, localhost only.
Production sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (see README).
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from egenmakt.lib.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("EGENMAKT_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", False)
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 - refused below unless DEBUG
SECRET_KEY = envstr("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
if SECRET_KEY == _DEV_SECRET and not DEBUG:
    raise ImproperlyConfigured("The development SECRET_KEY may only be used with DEBUG=true.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "egenmakt.web.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "ninja",
    "egenmakt.audit",
    "egenmakt.organisations",
    "egenmakt.accounts",
    "egenmakt.people",
    "egenmakt.consent",
    "egenmakt.cases",
    "egenmakt.access",
    "egenmakt.collaboration",
    "egenmakt.activities",
    "egenmakt.attendance",
    "egenmakt.plans",
    "egenmakt.benefits",
    "egenmakt.outcomes",
    "egenmakt.analytics",
    "egenmakt.goals",
    "egenmakt.review",
    "egenmakt.demo",
    "egenmakt.web",
    "egenmakt.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "egenmakt.urls"
WSGI_APPLICATION = "egenmakt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "egenmakt" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "egenmakt.web.context.shell",
            ],
        },
    },
]

# SQLite is the embedded default (demo, a small municipality trying it out); PostgreSQL in production.
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'egenmakt.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction starts, so two writers queue up
        # instead of one failing half-way with "database is locked" (the audit chain reads, then writes).
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # WAL lets readers go on while one writer commits; foreign keys are off by default in SQLite.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Swedish is the source language; English is a complete translation.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("Engelska"))]
LOCALE_PATHS = [BASE_DIR / "egenmakt" / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# Uploaded documents (scanned consent forms). Never served as plain files: a view checks access first.
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))

STATIC_URL = "static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and envbool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve straight from the app folders when no collectstatic has been run (demo, tests).
WHITENOISE_USE_FINDERS = DEBUG or not envbool("STATIC_MANIFEST", True)

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Production hardening: on unless DEBUG, each can be turned off behind a TLS-terminating proxy.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The preload flag only permits submitting the domain to browsers' preload lists; it submits nothing.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "egenmakt@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}

# Egenmakt's own settings.
EGENMAKT_SEARCH_LIMIT = envint("EGENMAKT_SEARCH_LIMIT", 50)
# Days a referral's recipient has to answer before the referral shows as overdue on the sender's start page.
EGENMAKT_REFERRAL_ANSWER_DAYS = envint("EGENMAKT_REFERRAL_ANSWER_DAYS", 10)
# The address that links in e-mails start with (answer links for recipients without an account).
EGENMAKT_BASE_URL = envstr("EGENMAKT_BASE_URL", "http://127.0.0.1:8000")
# Names at or above this rapidfuzz score count as the same spelling in search and duplicate checks.
EGENMAKT_FUZZY_THRESHOLD = envint("EGENMAKT_FUZZY_THRESHOLD", 85)
# The largest attendance file a provider may upload on the import page (a million rows is about 45 MB).
EGENMAKT_ATTENDANCE_IMPORT_MAX_MB = envint("EGENMAKT_ATTENDANCE_IMPORT_MAX_MB", 100)
# The payment run's pain.001 and CSV files (they hold account numbers: keep the folder private).
EGENMAKT_PAYMENT_DIR = Path(envstr("EGENMAKT_PAYMENT_DIR", str(VAR_DIR / "payments")))
# A payment run with this many payments or more has its files built in a process of their own while it
# pays (benefits/payment_files.py); smaller runs build them afterwards, which costs them less than that
# process's start.
EGENMAKT_PAYMENT_FILES_APART_FROM = envint("EGENMAKT_PAYMENT_FILES_APART_FROM", 5000)
