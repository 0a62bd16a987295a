"""Settings, all read from the environment (django-environ).

Defaults give the embedded set-up (`make demo`): SQLite and a filesystem Celery broker under
`var/`, no Redis. Production and CI set DATABASE_URL, CELERY_BROKER_URL and REDIS_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ

from connections.keys import keys_checked
from integrationhub.env_readers import EnvReaders, demo_env_is_live
from integrationhub.throttle_rates import rate_reader

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("HUB_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
env.read_env(BASE_DIR / ".env")


_readers = EnvReaders(env)
_read, _url, _bool, _database = _readers.read, _readers.url, _readers.boolean, _readers.database


# A running `manage.py demo` writes var/demo.env (its sandbox's BIGCOMMERCE_API_URL, _LOGIN_URL):
# commands run here talk to it, not to BigCommerce; the environment and .env win; tests skip it.
DEMO_ENV_FILE = VAR_DIR / "demo.env"
if _bool("HUB_READ_DEMO_ENV", default=True) and demo_env_is_live(DEMO_ENV_FILE):
    env.read_env(DEMO_ENV_FILE)

DEBUG = _bool("DEBUG", default=False)
# The repository's public keys are accepted only in DEBUG and where HUB_INSECURE_DEV_KEYS is set
# (`make demo`, the tests): anywhere else the hub refuses to start without real keys.
INSECURE_DEV_KEYS = DEBUG or _bool("HUB_INSECURE_DEV_KEYS", default=False)
SECRET_KEY = _read("SECRET_KEY", env.str, default="").strip()
# Fernet keys for secrets at rest (access tokens), newest first; each one decrypts, the first
# encrypts. In development they may be left out: a key is then derived from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = [
    key.strip() for key in _read("FIELD_ENCRYPTION_KEYS", env.list, default=[]) if key.strip()
]
SECRET_KEY, FIELD_ENCRYPTION_KEYS = keys_checked(
    secret_key=SECRET_KEY, field_keys=FIELD_ENCRYPTION_KEYS, insecure_dev_keys=INSECURE_DEV_KEYS
)
ALLOWED_HOSTS = _read("ALLOWED_HOSTS", env.list, default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = _read("CSRF_TRUSTED_ORIGINS", env.list, default=[])

# --- HTTPS (`manage.py check --deploy`). Behind a proxy that terminates TLS, it must set
# X-Forwarded-Proto (and strip it from clients' requests) for HUB_BEHIND_TLS_PROXY.
if _bool("HUB_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = _read("SECURE_HSTS_SECONDS", env.int, default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = _bool("CSRF_COOKIE_SECURE", default=False)
# /health/ answers the container's plain-HTTP health check.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# --- Content-Security-Policy (django-csp): scripts, styles and everything else from the hub
# itself; inline styles stay allowed (templates use style attributes), inline scripts do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
    "connections",
    "connections.alerts",
    "dataflows",
    "catalog",
    "listings",
    "orders",
    "checkout",
    "dashboard",
    "integrationhub",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "connections.middleware.CurrentTenantMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: locks out brute-force log-in attempts (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "integrationhub.urls"
WSGI_APPLICATION = "integrationhub.wsgi.application"
ASGI_APPLICATION = "integrationhub.asgi.application"

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
                "connections.context_processors.tenancy",
            ],
        },
    },
]

DATABASES = {"default": _database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
# Persistent connections (seconds); 0 closes each at the end of its request or task.
DATABASES["default"]["CONN_MAX_AGE"] = _read("DATABASE_CONN_MAX_AGE", env.int, default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default runs a worker with several threads beside the web server: WAL lets
    # readers go on while one writes, IMMEDIATE takes the write lock when a transaction begins
    # (no read-then-upgrade deadlock, which SQLite answers with "database is locked" at once),
    # and a writer waits up to `timeout` seconds for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": _read("SQLITE_BUSY_TIMEOUT_S", env.int, default=30),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
    # Tests on a file too (an in-memory database cannot use WAL), so that concurrent workers
    # in the tests meet SQLite as the demo does.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve app static files without collectstatic (demo, tests); collectstatic still works.
WHITENOISE_USE_FINDERS = True

# --- Mail (password reset). EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587;
# unset, development prints mails to the console, and elsewhere password reset is switched off
# (its pages answer 404, the log-in page offers no link) rather than promise a mail never sent.
# (Lower case: not a setting, so that its password never shows on a debug page.)
email_url = _read("EMAIL_URL", env.str, default="").strip()
if email_url:
    globals().update(_read("EMAIL_URL", env.email_url))  # EMAIL_BACKEND, EMAIL_HOST, ...
elif INSECURE_DEV_KEYS:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
PASSWORD_RESET_ENABLED = bool(email_url) or INSECURE_DEV_KEYS
del email_url
DEFAULT_FROM_EMAIL = _read("DEFAULT_FROM_EMAIL", env.str, default="hub@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- Brute-force protection on log-in (django-axes): 5 failures lock that username from that
# address for 15 minutes; a successful log-in resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = _bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = _read("AXES_FAILURE_LIMIT", env.int, default=5)
AXES_COOLOFF_TIME = timedelta(minutes=_read("AXES_COOLOFF_MINUTES", env.int, default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- Redis (optional): shared rate-limit buckets and locks across processes.
REDIS_URL = _read("REDIS_URL", env.str, default="")
if REDIS_URL:
    REDIS_URL = _url("REDIS_URL", REDIS_URL, {"redis", "rediss", "unix"})

# --- Celery. The default broker needs no server: kombu's filesystem transport under var/.
CELERY_BROKER_URL = _read("CELERY_BROKER_URL", env.str, default="filesystem://")
if CELERY_BROKER_URL not in ("filesystem://", "memory://"):
    CELERY_BROKER_URL = _url(
        "CELERY_BROKER_URL", CELERY_BROKER_URL, {"redis", "rediss", "amqp", "amqps", "memory"}
    )
_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL == "filesystem://":
    for sub in ("out", "processed", "control"):
        (_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "out"),
        "data_folder_out": str(_BROKER_DIR / "out"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        # The exchange-queue bindings (kombu's default is "control/" in the working directory).
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# A task is acknowledged when it ends, given back to the broker when its worker dies: a killed
# worker's run is delivered again (it never runs twice: dataflows/services/execution.py).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A stuck run is stopped (soft: recorded as failed) and then killed (hard).
CELERY_TASK_SOFT_TIME_LIMIT = _read("CELERY_TASK_SOFT_TIME_LIMIT_S", env.int, default=4 * 3600)
CELERY_TASK_TIME_LIMIT = _read(
    "CELERY_TASK_TIME_LIMIT_S", env.int, default=CELERY_TASK_SOFT_TIME_LIMIT + 300
)
# Redis redelivers an unacknowledged task after this: longer than the hard limit (no 2nd run).
if CELERY_BROKER_URL.startswith(("redis", "rediss")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 600}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Schedules are django-celery-beat's database rows only (the dataflows' and the engine's
# maintenance tasks, created by dataflows' migrations and services).
# dataflows.beat: its tick's queries stay flat however many connections there are.
CELERY_BEAT_SCHEDULER = "dataflows.beat:HubScheduler"
# Queues: a run goes to its flow's FlowSpec.queue (webhook runs: "webhooks"), upkeep to
# "maintenance"; a worker without -Q (the demo's) consumes all; compose runs one per group.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = {
    name: {"exchange": name, "routing_key": name}
    for name in ("default", "orders", "webhooks", "shipments", "stock", "catalog", "maintenance")
}
CELERY_TASK_ROUTES = (
    "dataflows.tasks.route_task",
    {
        "dataflows.tasks.runs_sweep_task": {"queue": "maintenance"},
        "dataflows.tasks.retention_task": {"queue": "maintenance"},
        "connections.tasks.connection_delete_task": {"queue": "maintenance"},
        "connections.webhooks.tasks.*": {"queue": "maintenance"},
    },
)

# --- Dataflows.
# A run's lease on its dataflow: renewed every third of it by the run's heartbeat thread, so a
# killed worker's dataflow is free (and re-queued by the sweep) within about a minute.
DATAFLOW_LEASE_SECONDS = _read("DATAFLOW_LEASE_SECONDS", env.int, default=60)
DATAFLOW_SWEEP_EVERY_S = _read("DATAFLOW_SWEEP_EVERY_S", env.int, default=30)
# Order Update: shipments in flight at once per run (each of another order; the quota paces).
ORDER_UPDATE_CONCURRENCY = _read("ORDER_UPDATE_CONCURRENCY", env.int, default=8)
# A run that worked this long hands its worker back between two pages while another
# connection's run waits for one (0: never); it continues where it stopped.
DATAFLOW_SLICE_SECONDS = max(0.0, _read("DATAFLOW_SLICE_SECONDS", env.float, default=10.0))
# Items per inventory PUT of a stock push (0: BigCommerce's maximum, 2000).
CATALOG_STOCK_BATCH_ITEMS = max(0, _read("CATALOG_STOCK_BATCH_ITEMS", env.int, default=0))


# --- BigCommerce (the sandbox or any compatible server can stand in).
BIGCOMMERCE_API_URL = _url("BIGCOMMERCE_API_URL", "https://api.bigcommerce.com", {"http", "https"})
BIGCOMMERCE_LOGIN_URL = _url(
    "BIGCOMMERCE_LOGIN_URL", "https://login.bigcommerce.com", {"http", "https"}
)
BIGCOMMERCE_CONNECT_TIMEOUT_S = _read("BIGCOMMERCE_CONNECT_TIMEOUT_S", env.float, default=5.0)
BIGCOMMERCE_READ_TIMEOUT_S = _read("BIGCOMMERCE_READ_TIMEOUT_S", env.float, default=60.0)
# The hub's BigCommerce app (/bigcommerce/...): Developer Portal client id and secret (never
# logged), its auth callback URL (empty: the URL called, wrong behind a TLS-terminating proxy).
BIGCOMMERCE_APP_CLIENT_ID = _read("BIGCOMMERCE_APP_CLIENT_ID", env.str, default="").strip()
BIGCOMMERCE_APP_CLIENT_SECRET = _read("BIGCOMMERCE_APP_CLIENT_SECRET", env.str, default="").strip()
BIGCOMMERCE_APP_CALLBACK_URL = _read("BIGCOMMERCE_APP_CALLBACK_URL", env.str, default="").strip()
if BIGCOMMERCE_APP_CALLBACK_URL:
    _url("BIGCOMMERCE_APP_CALLBACK_URL", BIGCOMMERCE_APP_CALLBACK_URL, {"http", "https"})

# --- Webhooks (connections/webhooks): the hub's public https address (unset: none registered).
PUBLIC_BASE_URL = _read("PUBLIC_BASE_URL", env.str, default="").strip()
WEBHOOK_COALESCE_S = _read("WEBHOOK_COALESCE_S", env.int, default=2)  # a burst -> one run
WEBHOOK_CHECK_EVERY_S = _read("WEBHOOK_CHECK_EVERY_S", env.int, default=600)  # re-enable hooks

# --- REST API.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # JSON with a depth limit and valid text only (a 400, not a RecursionError); forms too.
    "DEFAULT_PARSER_CLASSES": [
        "integrationhub.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Per token or user (per address when anonymous): beyond the rate, 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "integrationhub.throttling.UserThrottle",
        "integrationhub.throttling.AnonThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": _read("API_THROTTLE_USER_RATE", rate_reader(env), default="2000/hour"),
        "anon": _read("API_THROTTLE_ANON_RATE", rate_reader(env), default="100/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Integration hub API",
    "DESCRIPTION": "Orders, order errors, shipments, products and stock of the fulfilment hub.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc served from the project's static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _read("LOG_LEVEL", env.str, default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
