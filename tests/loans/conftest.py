import datetime
from decimal import Decimal

import pytest

from loans import services
from loans.models import Loan
from tests.loans.test_rounds import build_coop


@pytest.fixture
def lent(db):
    """build_coop's APOQ after its 2026 Q4 round of 1,000.00 was disbursed on 5 October 2026
    (0001: 400.00, 0002: 360.00, ...: three monthly installments from 4 November)."""
    coop, accountant, board, members, accounts = build_coop()
    loan_round = services.round_propose(cooperative=coop, actor=accountant, year=2026, quarter=4,
                                        pool=Decimal("1000"))
    services.round_approve(loan_round=loan_round, actor=board)
    services.round_disburse(loan_round=loan_round, actor=accountant, date=datetime.date(2026, 10, 5))
    loans = {loan.member.number: loan for loan in Loan.objects.select_related("member")}
    return coop, accountant, board, members, accounts, loans
