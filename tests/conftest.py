import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import TransactionTestCase

from tests.support.dbroles import as_owner, connect_as, owner_role

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls there are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Made and migrated by the owner (pytest-django's own fixture); used as the runtime role."""
    from django.conf import settings

    connect_as(settings.DATABASE_RUNTIME_ROLE)
    yield
    connect_as(owner_role())


def _flush_as_owner(original):
    def teardown(self):
        with as_owner():
            original(self)

    return teardown


# A transactional test empties the tables with TRUNCATE, which only the owner may do.
TransactionTestCase._fixture_teardown = _flush_as_owner(TransactionTestCase._fixture_teardown)


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


@contextlib.contextmanager
def celery_worker(tmp_path, *pool):
    """A Celery worker process on the test database and the real Redis; its emails land as files in
    tmp_path/mail, its files under tmp_path/media, its log in tmp_path/worker.log."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coop.settings.test",
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**_default_database()),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    with open(tmp_path / "worker.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "coop", "worker", *(pool or ("--pool=solo",)),
             "--loglevel=WARNING", "-n", f"test-{os.getpid()}@%h"],
            cwd=Path(__file__).resolve().parents[1], env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def worker(tmp_path):
    """A Celery worker (one process) on the test database; yields the folder its emails land in."""
    with celery_worker(tmp_path):
        yield tmp_path / "mail"


def _default_database() -> dict:
    from django.db import connection

    return connection.settings_dict
