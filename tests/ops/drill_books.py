"""The restore drill's bookkeeping, run by test_restore_drill.py in a child process against the
scratch cluster (DATABASE_URL: the runtime role, as the app connects), through the ledger's one
posting path:

    python -m tests.ops.drill_books open post:A:30 post:B:20

``open`` makes the co-op DRILL with its chart of accounts; ``post:<batch>:<count>`` posts that many
transactions with amounts fixed by the batch's name, so every run posts the same cents.
"""

import os
import sys
from decimal import Decimal

CENT = Decimal("0.01")


def amount(batch: str, i: int) -> Decimal:
    return Decimal(100 + (i * 37 + ord(batch) * 11) % 900) + Decimal((i * 13 + ord(batch)) % 100) * CENT


def main(commands: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings.dev")
    import django

    django.setup()
    from django.utils import timezone

    from coop.models import Cooperative, User
    from ledger.models import Account
    from ledger.services import chart_of_accounts_create, transaction_post

    for command in commands:
        if command == "open":
            coop, _created = Cooperative.objects.get_or_create(
                short_name="DRILL", defaults={"name": "Cooperativa del simulacro", "country": "PE"})
            chart_of_accounts_create(cooperative=coop)
            User.objects.get_or_create(username="drill.contador")
            continue
        _post, batch, count = command.split(":")
        coop = Cooperative.objects.get(short_name="DRILL")
        accounts = {a.code: a for a in Account.objects.filter(cooperative=coop)}
        bank, unallocated, loan_fund, medical_fund = (accounts[c] for c in ("1000", "3000", "3100", "3200"))
        actor = User.objects.get(username="drill.contador")
        for i in range(int(count)):
            money = amount(batch, i)
            if i % 3 == 2:  # a third of the premium received so far goes to a fund
                fund = loan_fund if i % 2 else medical_fund
                legs = [(unallocated, (money / 4).quantize(CENT)), (fund, -(money / 4).quantize(CENT))]
                memo = f"Drill {batch}{i}: premium to {fund.code}"
            else:
                legs = [(bank, money), (unallocated, -money)]
                memo = f"Drill {batch}{i}: premium received"
            transaction_post(cooperative=coop, date=timezone.localdate(), memo=memo, legs=legs, actor=actor,
                             idempotency_key=f"drill-{batch}-{i}")


if __name__ == "__main__":
    main(sys.argv[1:])
