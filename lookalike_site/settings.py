"""All settings, read from the environment. See README.md, "Configuration".

With nothing set the site runs self-contained for development: SQLite and media under var/,
Celery tasks run in-process. Production sets DJANGO_SECRET_KEY, DATABASE_URL, CELERY_BROKER_URL
and, for S3-compatible media, AWS_STORAGE_BUCKET_NAME.
"""

import secrets
from email.utils import parseaddr
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from face_engine import limits

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
VAR_DIR = Path(env("LOOKALIKE_VAR_DIR", default=str(BASE_DIR / "var")))


def _development_secret_key() -> str:
    # Only with DEBUG on: a random key kept beside the development database.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

# HTTPS everywhere in production: redirects, secure cookies, HSTS. Only a plain-HTTP test server
# or a development machine turns it off.
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a proxy (nginx, a load balancer) that terminates TLS, the scheme and the client's
# address come from the headers it sets; otherwise both are the connection's own, and any
# X-Forwarded-* header a client writes is ignored.
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=1) if BEHIND_PROXY else 0
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, styles, fonts and requests only from the site
# itself, never inline; images from the site, the upload preview (blob:) and, when media lives
# elsewhere (S3), the storage's own origin, which common.csp adds.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# A form sent without a valid CSRF token gets a page in the site's layout, not the reason.
CSRF_FAILURE_VIEW = "common.error_views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "csp",
    "accounts",
    "actors",
    "matching",
    "moderation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "common.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Runs before any view (or the CSRF check) reads the body; after authentication, so its
    # 413 page knows who is logged in.
    "common.request_limits.RequestBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Only a benchmark points this elsewhere (bench/results_page_load.py adds a bare page beside the
# site's own).
ROOT_URLCONF = env("DJANGO_ROOT_URLCONF", default="lookalike_site.urls")
WSGI_APPLICATION = "lookalike_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep connections between requests: opening one costs about a third of a results page.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my-matches"
LOGOUT_REDIRECT_URL = "home"

# Console e-mail unless EMAIL_URL says otherwise (e.g. smtp+tls://user:password@host:587).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL_CONFIG.get("EMAIL_HOST", "localhost")
EMAIL_PORT = EMAIL_CONFIG.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = EMAIL_CONFIG.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = EMAIL_CONFIG.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = EMAIL_CONFIG.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = EMAIL_CONFIG.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Lookalike <noreply@localhost>")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = env("DJANGO_MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))

# The catalogue's photos (actors/) are served by the app itself unless they live on
# S3-compatible storage. Nothing else under MEDIA_ROOT has a public address.
SERVE_MEDIA = env.bool("LOOKALIKE_SERVE_MEDIA", default=True)

# Visitors' face crops and share pictures are sent by views that first check who may see the
# result. Who sends the bytes then: the app (off), nginx from an internal location
# (X-Accel-Redirect to LOOKALIKE_MEDIA_ACCEL_PREFIX + the file's name), or a server that reads
# X-Sendfile (Apache's mod_xsendfile, lighttpd). On S3-compatible storage the answer is instead
# a redirect to a signed address valid for LOOKALIKE_MEDIA_SIGNED_URL_SECONDS.
MEDIA_ACCEL_BACKENDS = {
    "off": "django_sendfile.backends.simple",
    "nginx": "django_sendfile.backends.nginx",
    "sendfile": "django_sendfile.backends.xsendfile",
}
LOOKALIKE_MEDIA_ACCEL = env("LOOKALIKE_MEDIA_ACCEL", default="off")
if LOOKALIKE_MEDIA_ACCEL not in MEDIA_ACCEL_BACKENDS:
    raise ImproperlyConfigured(
        f"LOOKALIKE_MEDIA_ACCEL must be one of {', '.join(MEDIA_ACCEL_BACKENDS)}."
    )
SENDFILE_BACKEND = MEDIA_ACCEL_BACKENDS[LOOKALIKE_MEDIA_ACCEL]
SENDFILE_ROOT = str(MEDIA_ROOT)
SENDFILE_URL = env("LOOKALIKE_MEDIA_ACCEL_PREFIX", default="/internal-media/")
# Short: a signed address handed out before a switch to private stays valid this long.
LOOKALIKE_MEDIA_SIGNED_URL_SECONDS = env.int("LOOKALIKE_MEDIA_SIGNED_URL_SECONDS", default=60)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    SERVE_MEDIA = False
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": None,
            "file_overwrite": False,
            # Visitors' files are handed out as signed addresses that expire; version 4
            # signatures, which every region accepts (boto3 may otherwise sign with version 2).
            "querystring_auth": True,
            "signature_version": "s3v4",
        },
    }

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "matching.api_errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["rest_framework.filters.SearchFilter"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # A client's address for rate limits: REMOTE_ADDR with 0, else the address the outermost
    # of our proxies saw (the PROXY_COUNT-th from the right of X-Forwarded-For).
    "NUM_PROXIES": PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        # Per address for visitors, per account for people logged in (and per address too).
        "uploads": env("LOOKALIKE_UPLOAD_RATE", default="20/hour"),
        "uploads_account": env("LOOKALIKE_ACCOUNT_UPLOAD_RATE", default="60/hour"),
        "uploads_api_anonymous": env("LOOKALIKE_API_ANONYMOUS_UPLOAD_RATE", default="5/hour"),
        "login_address": env("LOOKALIKE_LOGIN_RATE", default="20/hour"),
        "login_username": env("LOOKALIKE_LOGIN_USERNAME_RATE", default="10/hour"),
        "flags": env("LOOKALIKE_FLAG_RATE", default="30/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lookalike API",
    "DESCRIPTION": "Upload a photo, then read which film actors its faces resemble.",
    "VERSION": "1.0.0",
    # Request bodies get components of their own, so a file field is `format: binary`.
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema describes the API, not the address it is served from.
    "SERVE_INCLUDE_SCHEMA": False,
}
# Throttling counts need a cache every process shares: Redis when configured.
REDIS_URL = env("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Celery: a real broker when one is configured, otherwise tasks run in the calling process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="lookalike")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A task's message is acknowledged when the task ends, not when it starts. Only the matching
# task asks for its message back when its worker process dies (reject_on_worker_lost, set on the
# task): its claim counts the runs and gives up after LOOKALIKE_MATCH_ATTEMPTS, where a task
# without such a count would be redelivered forever if it kills its worker every time.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# When the broker connection drops, running tasks finish (their acknowledgement is moot: a
# restarted Redis has forgotten their messages) rather than being killed for a redelivery that
# would never come. Celery warns about this default; it is chosen.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Worker processes per worker; unset, one per CPU. Each loads the face models (about 150 MB).
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=None)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Recovering matches whose worker died or whose message the broker lost. A run holds its match
# under a lease that its heartbeat renews every third of it; a delivery that finds the holder
# gone (its process ended, or no heartbeat for a lease) takes the match over. The sweep, every
# LOOKALIKE_MATCH_SWEEP_SECONDS, sends again the matches whose holder is gone and the queued ones
# sent longer than LOOKALIKE_MATCH_RESEND_SECONDS ago. With the defaults every accepted upload is
# finished (done or failed) within two minutes of a worker, broker or database fault.
LOOKALIKE_MATCH_LEASE_SECONDS = env.float("LOOKALIKE_MATCH_LEASE_SECONDS", default=45.0)
LOOKALIKE_MATCH_SWEEP_SECONDS = env.float("LOOKALIKE_MATCH_SWEEP_SECONDS", default=15.0)
LOOKALIKE_MATCH_RESEND_SECONDS = env.float("LOOKALIKE_MATCH_RESEND_SECONDS", default=60.0)
# The longest a matching task waits before its next try (retries double from 2 s up to this).
LOOKALIKE_MATCH_RETRY_MAX_SECONDS = env.float("LOOKALIKE_MATCH_RETRY_MAX_SECONDS", default=30.0)
CELERY_BEAT_SCHEDULE = {
    "expire-anonymous-matches": {"task": "matching.tasks.matches_expire_task", "schedule": 3600},
    "delete-pending-files": {"task": "matching.tasks.stored_files_delete_task", "schedule": 600},
    "prune-index-versions": {"task": "matching.tasks.index_versions_prune_task", "schedule": 3600},
    "recover-matches": {
        "task": "matching.tasks.matches_recover_task",
        "schedule": LOOKALIKE_MATCH_SWEEP_SECONDS,
        # A sweep still waiting when the next one is due is not worth running.
        "options": {"expires": LOOKALIKE_MATCH_SWEEP_SECONDS},
    },
}

# The face pipeline and the index.
LOOKALIKE_MAX_PIXELS = env.int("LOOKALIKE_MAX_PIXELS", default=limits.DEFAULT_MAX_PIXELS)
LOOKALIKE_INDEX_TREES = env.int("LOOKALIKE_INDEX_TREES", default=limits.DEFAULT_TREES)
# Older ready versions whose files are kept after a new one is activated.
LOOKALIKE_INDEX_VERSIONS_KEPT = env.int("LOOKALIKE_INDEX_VERSIONS_KEPT", default=2)
LOOKALIKE_INDEX_BUILD_TIME_LIMIT = env.int("LOOKALIKE_INDEX_BUILD_TIME_LIMIT", default=3600)
# Redis hands an unacknowledged message to another worker after this long: longer than the
# longest task (an index build) so a running task is never delivered twice. Matches do not wait
# for it: the sweep above recovers them. Retry countdowns stay far below it.
LOOKALIKE_BROKER_VISIBILITY_TIMEOUT = env.int(
    "LOOKALIKE_BROKER_VISIBILITY_TIMEOUT", default=LOOKALIKE_INDEX_BUILD_TIME_LIMIT + 300
)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": LOOKALIKE_BROKER_VISIBILITY_TIMEOUT,
    # A broker that is down or unreachable answers a web request's send within seconds (the
    # upload stays queued for the sweep) instead of holding the request.
    "socket_connect_timeout": 5,
    "socket_timeout": 10,
}
LOOKALIKE_INDEX_CACHE_DIR = Path(
    env("LOOKALIKE_INDEX_CACHE_DIR", default=str(VAR_DIR / "index-cache"))
)
LOOKALIKE_UPLOAD_MAX_BYTES = env.int("LOOKALIKE_UPLOAD_MAX_BYTES", default=15_000_000)
# A web request decodes an upload only if that costs at most this many pixels (after JPEG DCT
# scaling, so any JPEG; a 12 MP HEIC or PNG too); a bigger one is re-encoded by the worker.
# 16 MP decoded is about 50 MB; a 62 MP PNG would be 190 MB and over a second of CPU.
LOOKALIKE_WEB_DECODE_MAX_PIXELS = env.int("LOOKALIKE_WEB_DECODE_MAX_PIXELS", default=16_000_000)
# The stored copy of a visitor's photo is re-encoded at most this long on its longest side;
# 2000 rather than 2048: a 12 MP photo (4032 px) then decodes at half scale (2016 px) in JPEG
# draft mode instead of in full.
LOOKALIKE_STORED_PHOTO_SIZE = env.int("LOOKALIKE_STORED_PHOTO_SIZE", default=2000)
LOOKALIKE_MAX_FACES = env.int("LOOKALIKE_MAX_FACES", default=10)
# Actors stored per face; the results page shows the first three and the rest on demand.
LOOKALIKE_TOP_ACTORS = env.int("LOOKALIKE_TOP_ACTORS", default=10)
LOOKALIKE_MATCH_ATTEMPTS = env.int("LOOKALIKE_MATCH_ATTEMPTS", default=3)
LOOKALIKE_MATCH_TIME_LIMIT = env.int("LOOKALIKE_MATCH_TIME_LIMIT", default=120)
# The dataset health page lists actors with fewer active photos than this.
LOOKALIKE_MIN_PHOTOS_PER_ACTOR = env.int("LOOKALIKE_MIN_PHOTOS_PER_ACTOR", default=5)
# Uploads made without an account are deleted after this many days.
LOOKALIKE_ANONYMOUS_RETENTION_DAYS = env.int("LOOKALIKE_ANONYMOUS_RETENTION_DAYS", default=7)
# Below this similarity the page says the resemblance is weak.
LOOKALIKE_WEAK_SIMILARITY = env.float("LOOKALIKE_WEAK_SIMILARITY", default=40.0)
# The progress page says the match takes longer than usual after this many seconds without news.
LOOKALIKE_PROGRESS_SLOW_SECONDS = env.float("LOOKALIKE_PROGRESS_SLOW_SECONDS", default=30.0)
# A finished result's page as strangers see it (no account, not the owner, no feedback given yet)
# is kept rendered in the cache for this long; the match row is still read on every request, so a
# switch to private, a deletion or an expiry takes effect at once. Only what the page shows from
# the catalogue (credits, films, a removed reference photo) may lag by up to this long. 0: not
# kept (every request renders; the ETag and 304 still apply).
LOOKALIKE_RESULT_PAGE_CACHE_SECONDS = env.int("LOOKALIKE_RESULT_PAGE_CACHE_SECONDS", default=600)
# How long browsers and shared caches may reuse an unlisted result's share and story pictures
# without asking again: a switch to private or a deletion reaches them within this time.
LOOKALIKE_SHARE_PICTURE_MAX_AGE = env.int("LOOKALIKE_SHARE_PICTURE_MAX_AGE", default=300)
# Names this release's rendered pages in the cache, so that a deploy never serves pages rendered
# by the previous templates; empty: derived from the templates' contents when the process starts.
LOOKALIKE_RELEASE = env("LOOKALIKE_RELEASE", default="")
# How long a process trusts its copy of "which index version is active" before asking again.
LOOKALIKE_INDEX_RECHECK_SECONDS = env.float("LOOKALIKE_INDEX_RECHECK_SECONDS", default=5.0)

# Catalogue photos fetched from the web (import_photo_urls, import_commons): per request, how
# long to wait for a connection and for each read, the largest file taken, downloads at once,
# and retries of 429/5xx answers (back-off doubling from the given seconds, or Retry-After).
LOOKALIKE_DOWNLOAD_CONNECT_TIMEOUT = env.float("LOOKALIKE_DOWNLOAD_CONNECT_TIMEOUT", default=5.0)
LOOKALIKE_DOWNLOAD_READ_TIMEOUT = env.float("LOOKALIKE_DOWNLOAD_READ_TIMEOUT", default=30.0)
LOOKALIKE_DOWNLOAD_MAX_BYTES = env.int("LOOKALIKE_DOWNLOAD_MAX_BYTES", default=20_000_000)
LOOKALIKE_DOWNLOAD_THREADS = env.int("LOOKALIKE_DOWNLOAD_THREADS", default=4)
LOOKALIKE_DOWNLOAD_RETRIES = env.int("LOOKALIKE_DOWNLOAD_RETRIES", default=3)
LOOKALIKE_DOWNLOAD_BACKOFF_SECONDS = env.float("LOOKALIKE_DOWNLOAD_BACKOFF_SECONDS", default=1.0)
LOOKALIKE_WIKIDATA_API = env("LOOKALIKE_WIKIDATA_API", default="https://www.wikidata.org/w/api.php")
LOOKALIKE_COMMONS_API = env(
    "LOOKALIKE_COMMONS_API", default="https://commons.wikimedia.org/w/api.php"
)
# Wikimedia asks every client to name itself and a way to reach whoever runs it.
LOOKALIKE_CONTACT = env("LOOKALIKE_CONTACT", default=parseaddr(DEFAULT_FROM_EMAIL)[1])
LOOKALIKE_HTTP_USER_AGENT = env(
    "LOOKALIKE_HTTP_USER_AGENT",
    default=f"Lookalike/1.0 (film-actor lookalike site, catalogue importer; {LOOKALIKE_CONTACT})",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # faiss says at every import which of its builds it loaded, and which it could not.
    "loggers": {"faiss.loader": {"level": "WARNING"}},
}
