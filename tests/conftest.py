import os
import subprocess
import sys
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls there are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def coop_pe(db):
    from tests.factories import CooperativeFactory

    return CooperativeFactory(short_name="APOQ", country="PE")


@pytest.fixture
def coop_ec(db):
    from tests.factories import CooperativeFactory

    return CooperativeFactory(short_name="GUABO", country="EC", region="El Oro")


@pytest.fixture
def accountant(coop_pe):
    from coop.models import Role
    from tests.factories import user_with_role

    return user_with_role(Role.ACCOUNTANT, coop_pe, username="contador")


@pytest.fixture
def worker(tmp_path):
    """A Celery worker on the test database; its emails land as files in tmp_path/mail."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coop.settings.test",
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**_default_database()),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coop", "worker", "--pool=solo", "--loglevel=WARNING",
         "-n", f"test-{os.getpid()}@%h"],
        cwd=Path(__file__).resolve().parents[1], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    yield tmp_path / "mail"
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _default_database() -> dict:
    from django.db import connection

    return connection.settings_dict
