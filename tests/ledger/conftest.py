import os

import psycopg
import pytest
from django.db import connection

from coop.models import Role
from ledger.services import chart_of_accounts_create
from tests.factories import CooperativeFactory, user_with_role


@pytest.fixture
def books(db):
    """A co-op with its standard chart of accounts, its accountant and a board member."""
    coop = CooperativeFactory(short_name="APOQ")
    accounts = {a.code: a for a in chart_of_accounts_create(cooperative=coop)}

    class Books:
        cooperative = coop
        bank = accounts["1000"]
        receivable = accounts["1100"]
        loans_receivable = accounts["1200"]
        unallocated = accounts["3000"]
        loan_fund = accounts["3100"]
        medical_fund = accounts["3200"]
        accountant = user_with_role(Role.ACCOUNTANT, coop, username="contadora")
        board = user_with_role(Role.BOARD, coop, username="directivo")

    return Books


@pytest.fixture
def superuser():
    """A psycopg connection to the test database as a superuser, in a transaction rolled back at
    the end. Its own connection: only what a transactional test has committed is there to attack."""
    database = connection.settings_dict
    admin_url = os.environ.get("DATABASE_ADMIN_URL") or f"postgres://postgres@{database['HOST']}:{database['PORT']}/postgres"
    # lock_timeout: fail rather than wait if the test's own connection still holds a lock.
    with psycopg.connect(admin_url, dbname=database["NAME"], options="-c lock_timeout=5s") as admin:
        yield admin
        admin.rollback()
