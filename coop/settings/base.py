"""Settings shared by every environment. Everything that differs comes from the environment."""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "django_filters",
    "django_celery_beat",
    "django_htmx",
    "template_partials",
    "pgtrigger",
    "pghistory",
    "axes",
    "coop",
    "members",
    "ledger",
    "exports",
    "premiums",
    "loans",
    "medfund",
    "reports",
    # Last: its post_migrate grants the runtime role its privileges once every table exists.
    "ops",
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
    "django_htmx.middleware.HtmxMiddleware",
    # Records the acting user and URL with every row-history event (members, plots, ...).
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coop.urls"
WSGI_APPLICATION = "coop.wsgi.application"

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
                "coop.context_processors.navigation",
            ],
        },
    },
]

# Two roles (ops/sql/roles.sql): web, worker and beat connect as the runtime role, which owns nothing
# and holds only what each table allows; `migrate` connects as the owner of the schema.
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://coop_app@127.0.0.1:5432/coop"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASE_RUNTIME_ROLE = DATABASES["default"]["USER"]
DATABASE_OWNER_URL = env("DATABASE_OWNER_URL", default="postgres://coop_owner@127.0.0.1:5432/coop")
# --- Hot standby and readiness (ops/routers.py, ops/replica.py, ops/health.py) --------------------
# With DATABASE_REPLICA_URL (a streaming standby, as the runtime role), the reads code marks with
# ops.routers.reads_from_replica() go to it unless it is down or more than DATABASE_REPLICA_MAX_LAG
# seconds behind. /health/ready/ counts a backup older than BACKUP_MAX_AGE_HOURS as down.
DATABASE_ROUTERS = ["ops.routers.ReplicaRouter"]
DATABASE_REPLICA_MAX_LAG = env.float("DATABASE_REPLICA_MAX_LAG", default=30.0)
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    # A kept connection the standby dropped (a restart) is noticed before a request uses it.
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # A standby that does not answer costs 2 s, not a TCP timeout of minutes.
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 2, **DATABASES["replica"].get("OPTIONS", {})}
BACKUP_MAX_AGE_HOURS = env.int("BACKUP_MAX_AGE_HOURS", default=26)
# --- end of hot standby and readiness ------------------------------------------------------------
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "coop.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

# Spanish first, English second.
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", default="America/Lima")

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="coop@localhost")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
# The cache (API throttling counters) lives in Redis, shared by every web process.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("CACHE_URL", default=REDIS_URL)}}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token first: a request without credentials gets 401 with "WWW-Authenticate: Token".
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "coop.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "coop.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle", "rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env("API_RATE_USER", default="1200/minute"), "anon": env("API_RATE_ANON", default="60/minute")},
    "EXCEPTION_HANDLER": "coop.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Coop API",
    "DESCRIPTION": "Members, plots, the books, shipments and premium of Fair Trade cooperatives. Importers' programs authenticate with a token: `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "coop.api.document_not_found"],
    "ENUM_NAME_OVERRIDES": {
        "MemberStatusEnum": "members.models.MemberStatus",
        "ShipmentStatusEnum": "exports.models.ShipmentStatus",
        "PlanStatusEnum": "premiums.models.PlanStatus",
        "RoundStatusEnum": "loans.models.RoundStatus",
        "LoanStatusEnum": "loans.models.LoanStatus",
        "ClaimStatusEnum": "medfund.models.ClaimStatus",
        "ClaimDocumentKindEnum": "medfund.models.DocumentKind",
        "ClaimStepKindEnum": "medfund.models.StepKind",
    },
}

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True

# Certifications are flagged this many days before they expire.
CERTIFICATION_WARNING_DAYS = 90

# Largest CSV file accepted by the member import, in bytes.
MEMBER_IMPORT_MAX_BYTES = env.int("MEMBER_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint tells each step of each layout at INFO: too much for a log.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
AXES_VERBOSE = False

# --- Backups (ops/backup.py; README, "Backups and restore") ---------------------------------------
# pgBackRest keeps the database (WAL archived at least every minute, full and incremental backups);
# restic keeps MEDIA_ROOT beside each backup. PGBACKREST_CONFIG and RESTIC_* mean what they mean
# to those programs; the file at PGBACKREST_CONFIG is written from these settings.
BACKUP_STANZA = env("BACKUP_STANZA", default="coop")
PGBACKREST_CONFIG = env("PGBACKREST_CONFIG", default="/etc/pgbackrest/pgbackrest.conf")
BACKUP_REPO_TYPE = env("BACKUP_REPO_TYPE", default="posix")  # posix (a folder) or s3
BACKUP_REPO_PATH = env("BACKUP_REPO_PATH", default="/var/lib/pgbackrest")  # for s3: the path in the bucket
BACKUP_RETENTION_FULL = env.int("BACKUP_RETENTION_FULL", default=4)  # full backups kept, with their WAL
BACKUP_FULL_EVERY_DAYS = env.int("BACKUP_FULL_EVERY_DAYS", default=7)  # `backup --type auto`: else incremental
BACKUP_S3_BUCKET = env("BACKUP_S3_BUCKET", default="")
BACKUP_S3_ENDPOINT = env("BACKUP_S3_ENDPOINT", default="")  # e.g. s3.eu-central-1.amazonaws.com
BACKUP_S3_REGION = env("BACKUP_S3_REGION", default="")
BACKUP_S3_KEY = env("BACKUP_S3_KEY", default="")
BACKUP_S3_KEY_SECRET = env("BACKUP_S3_KEY_SECRET", default="")
BACKUP_S3_URI_STYLE = env("BACKUP_S3_URI_STYLE", default="")  # "path" for MinIO and most non-AWS stores
BACKUP_REPO_CIPHER_PASS = env("BACKUP_REPO_CIPHER_PASS", default="")  # encrypts the repository (set it for S3)
# Where the server keeps its data and listens; asked from it through DATABASE_ADMIN_URL when empty.
BACKUP_PG_PATH = env("BACKUP_PG_PATH", default="")
BACKUP_PG_PORT = env.int("BACKUP_PG_PORT", default=0)
BACKUP_PG_SOCKET = env("BACKUP_PG_SOCKET", default="")
BACKUP_PG_USER = env("BACKUP_PG_USER", default="postgres")  # a superuser, or the role of ops/sql/backup_role.sql
BACKUP_LOG_PATH = env("BACKUP_LOG_PATH", default="/var/log/pgbackrest")
RESTIC_REPOSITORY = env("RESTIC_REPOSITORY", default="/var/lib/coop/media-backup")  # or s3:https://host/bucket/path
RESTIC_PASSWORD_FILE = env("RESTIC_PASSWORD_FILE", default="/etc/coop/restic-password")  # made on first use
# A superuser: turns archiving on (bin/backup) and tells where the data directory is.
DATABASE_ADMIN_URL = env("DATABASE_ADMIN_URL", default="postgres://postgres@127.0.0.1:5432/postgres")
# --- end of backups -------------------------------------------------------------------------------

# Headless Chromium for browser tests (Debian's chromium package by default).
CHROMIUM_PATH = env("CHROMIUM_PATH", default="/usr/bin/chromium")
# Where tests write screenshots; not committed.
TEST_ARTIFACTS_DIR = Path(env("TEST_ARTIFACTS_DIR", default=str(BASE_DIR / "artifacts")))
FORMAT_MODULE_PATH = ["coop.formats"]
