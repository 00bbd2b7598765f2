import os

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=None)
ALLOWED_HOSTS = ["*"]
AXES_ENABLED = env.bool("AXES_ENABLED", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="redis://127.0.0.1:6379/15")
# The live-server thread must not keep connections open past a test (the test database is dropped).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The owner makes and migrates the test database; tests/conftest.py then connects as the runtime
# role (DATABASE_RUNTIME_ROLE) for every test.
# A Celery worker a test starts inherits the run id and keeps DATABASE_URL's role: the runtime one.
if "COOP_TEST_RUN_ID" not in os.environ:
    DATABASES["default"]["USER"] = env.db_url_config(DATABASE_OWNER_URL)["USER"]  # noqa: F405
# Test runs side by side (a developer's and a benchmark's) share neither a database nor Redis keys:
# each has its own id, which the Celery workers it starts inherit through the environment.
TEST_RUN_ID = os.environ.setdefault("COOP_TEST_RUN_ID", str(os.getpid()))
DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{TEST_RUN_ID}"}  # noqa: F405
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": f"test{TEST_RUN_ID}:"}  # noqa: F405
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"test{TEST_RUN_ID}:"}
# With DATABASE_REPLICA_URL set, the replica alias reads the test database itself, through the
# same server (ops/routers.py); the standby tests make their own (tests/ops/test_replica.py).
if "replica" in DATABASES:  # noqa: F405
    DATABASES["replica"] = {**DATABASES["default"], "OPTIONS": {}, "TEST": {"MIRROR": "default"}}  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": env("CACHE_URL", default="redis://127.0.0.1:6379/14"), "KEY_PREFIX": f"test{TEST_RUN_ID}"}}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "100000/minute", "anon": "100000/minute"}}  # noqa: F405
