"""Schemathesis over the whole REST API, in process through WSGI: every operation of /api/schema/
with generated requests, as an importer's program (its token) and as a co-op's accountant (a knox
token). Checks: no 5xx, and statuses, content types and bodies as the schema documents them.

For each operation and caller, derandomized: requests generated from the schema, invalid requests
(negative mode), and valid requests whose path ids, ``cooperative`` filter and body references
point at the seeded rows (so they get past the lookups into the services).

The data is built once for the module inside a transaction rolled back at the end (what
TestCase.setUpTestData does); each test runs in a savepoint of it, so what one test's POSTs
create is gone for the next.

Known gaps of the schema are listed in GAPS: such a test is an xfail (strict) that fails for real
if anything else goes wrong, and passes (XPASS, so strict fails) once the gap is closed."""

import contextlib
import datetime
import tempfile
from decimal import Decimal

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coop.models import Role
from coop.wsgi import application

pytestmark = pytest.mark.django_db  # a savepoint in the module's transaction, see ``seeded``

D = Decimal
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 8  # per operation and caller, for each of: generated, invalid, on the seeded rows
TODAY = datetime.date(2026, 3, 2)

SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/", application)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
CALLERS = ("importer", "accountant")


class SchemaGap(AssertionError):
    """Only the failures GAPS lists for the operation were found."""


# What the schema does not say, by operation and caller: failure keys (as built by ``_key``,
# matched by their beginning) mapped to why. Empty: every gap found so far is closed. A new one
# is listed here with its reason, and its test becomes a strict xfail until the gap is closed.
REASONS: dict[str, str] = {}
GAPS: dict[tuple[str, str], list[str]] = {}


def _label(operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


def _cases():
    for operation in OPERATIONS:
        for caller in CALLERS:
            gaps = GAPS.get((_label(operation), caller))
            reason = "; ".join(REASONS[next(k for k in REASONS if k in gap)] for gap in gaps or [])
            marks = [pytest.mark.xfail(strict=True, raises=SchemaGap, reason=reason)] if gaps else []
            yield pytest.param(operation, caller, gaps or [], marks=marks, id=f"{_label(operation)}-{caller}")


@contextlib.contextmanager
def connections_kept_open():
    """Requests go straight to the WSGI handler, which closes the connection after each one (and
    so would end the test's transaction); Django's test client disconnects the same signals."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """A co-op that exports: members with households and plots, a shipment invoiced with its premium
    partly paid, one loading, a closed period, an approved 2026 plan with an allocation and a 2027
    draft; another co-op the callers do not work for; an importer's program and an accountant."""
    from knox.models import AuthToken

    from coop.services import cooperative_create
    from exports.models import Importer, Product, RejectionReason
    from exports.services import (
        delivery_add,
        importer_client_create,
        shipment_advance,
        shipment_create,
        shipment_invoice,
    )
    from ledger.models import Account, Transaction
    from ledger.services import period_close, transaction_post
    from premiums import services as premiums
    from premiums.services import premium_rate_set, premium_receive
    from tests.factories import HouseholdMemberFactory, MemberFactory, PlotFactory, user_with_role

    media = tempfile.TemporaryDirectory(prefix="coop-fuzz-media-")
    with (django_db_blocker.unblock(), connections_kept_open(), transaction.atomic(),
          override_settings(MEDIA_ROOT=media.name)):
        root = get_user_model().objects.create_superuser("root", password="x")
        coop = cooperative_create(name="Asociación APOQ", short_name="APOQ", country="PE")
        cooperative_create(name="Hualtaco", short_name="HUALTACO", country="PE")
        accountant = user_with_role(Role.ACCOUNTANT, coop, username="contadora")
        importer = Importer.objects.create(name="Bananen Import Hamburg", country="Germany")
        product = Product.objects.create(cooperative=coop, code="BAN-1814", name="Banano caja 18,14 kg",
                                         kg_per_unit=D("18.140"), units_per_container=1080)
        premium_rate_set(product=product, valid_from=datetime.date(2026, 1, 1), amount=D("1.0000"),
                         per_kg=D("18.140"), actor=accountant)
        reason = RejectionReason.objects.create(cooperative=coop, code="CIC", name="Cicatrices")
        members, plots, household = [], [], []
        for _ in range(3):
            member = MemberFactory(cooperative=coop)
            members.append(member)
            plots.append(PlotFactory(member=member, cooperative=coop))
            household.append(HouseholdMemberFactory(member=member))
        shipment = shipment_create(cooperative=coop, actor=accountant, importer=importer, product=product,
                                   container_number="TGHU7687318", etd=TODAY, port_of_loading="Paita",
                                   port_of_destination="Hamburg", price_per_box=D("14.50"), organic=True)
        for member, plot in zip(members, plots, strict=True):
            delivery_add(shipment=shipment, actor=accountant, member=member, plot=plot,
                         date=datetime.date(2026, 2, 27), accepted_boxes=360, rejected_boxes=4,
                         rejection_reason=reason)
        shipment_advance(shipment=shipment, actor=accountant, to="shipped")
        shipment_invoice(shipment=shipment, actor=accountant, invoice_number="F001-0001", invoiced_on=TODAY)
        premium_receive(shipment=shipment, actor=accountant, amount=D("500.00"), received_on=TODAY,
                        reference="TRX-1")
        loading = shipment_create(cooperative=coop, actor=accountant, importer=importer, product=product,
                                  container_number="MSKU9070323", etd=TODAY, port_of_loading="Paita",
                                  port_of_destination="Antwerp", price_per_box=D("14.50"), organic=True)
        delivery_add(shipment=loading, actor=accountant, member=members[0], plot=plots[0], date=TODAY,
                     accepted_boxes=100)

        accounts = {a.code: a for a in Account.objects.filter(cooperative=coop)}
        transaction_post(cooperative=coop, date=datetime.date(2026, 1, 10), memo="Aporte", actor=accountant,
                         legs=[(accounts["1000"], D("2000.00")), (accounts["3000"], D("-2000.00"))])
        period = period_close(cooperative=coop, starts_on=datetime.date(2026, 1, 1),
                              ends_on=datetime.date(2026, 1, 31), actor=accountant)
        plan = premiums.plan_draft(cooperative=coop, year=2026, actor=accountant)
        line = premiums.plan_line_set(plan=plan, actor=accountant, code="SALUD", project="Salud", objective="…",
                                      beneficiaries="Familias", budget=D("800.00"))
        premiums.plan_approve(plan=plan, actor=accountant, held_on=datetime.date(2026, 3, 1), members_present=210,
                              quorum=184, votes_for=180, votes_against=12, abstentions=18,
                              minutes_reference="Acta AG 2026-01")
        premiums.premium_allocate(line=line, amount=D("300.00"), date=TODAY, actor=accountant)
        draft = premiums.plan_draft(cooperative=coop, year=2027, actor=accountant)
        premiums.plan_line_set(plan=draft, actor=accountant, code="COLEGIO", project="Colegio", objective="…",
                               beneficiaries="Niños", budget=D("400.00"))

        from medfund.models import Category, CategoryRule, FundRules
        from medfund.services import claim_submit

        rules = FundRules.objects.create(cooperative=coop, valid_from=datetime.date(2026, 1, 1), created_by=root)
        surgery = Category.objects.create(cooperative=coop, code="surgery", name="Cirugía")
        CategoryRule.objects.create(rules=rules, category=surgery, per_claim_cap=D("1500.00"))
        claim = claim_submit(member=members[1], actor=accountant, category=surgery,
                             event_date=datetime.date(2026, 2, 20), description="Apendicitis",
                             amount_requested=D("900.00"), beneficiary=household[1])

        _client, importer_token = importer_client_create(importer=importer, name="ERP", actor=root)
        _instance, accountant_token = AuthToken.objects.create(accountant)
        yield {
            "cooperative": coop.pk,
            # Path ids by path prefix: the importer's shipment, the accountant's rows.
            "ids": {
                "/api/v1/cooperatives/": coop.pk, "/api/v1/members/": members[1].pk,
                "/api/v1/household/": household[1].pk, "/api/v1/plots/": plots[1].pk,
                "/api/v1/shipments/": shipment.pk, "/api/v1/ledger/accounts/": accounts["1000"].pk,
                "/api/v1/ledger/transactions/": Transaction.objects.filter(cooperative=coop).latest("id").pk,
                "/api/v1/ledger/periods/": period.pk, "/api/v1/premiums/plans/": draft.pk,
                "/api/v1/medfund/claims/": claim.pk,
            },
            "references": {"cooperative": coop.pk, "member": members[1].pk, "line": line.pk,
                           "fund": accounts["3200"].pk, "accounts": [accounts["1000"].pk, accounts["3000"].pk]},
            "callers": {"importer": f"Token {importer_token}", "accountant": f"Token {accountant_token}"},
        }
        transaction.set_rollback(True)
    media.cleanup()


def _anchored(operation, seeded) -> dict:
    """Fixed parameters naming the seeded rows, for those of the operation's parameters that do."""
    names = {(getattr(p.location, "value", p.location), p.name) for p in operation.iter_parameters()}
    fixed = {}
    if ("path", "id") in names:
        prefix = next((prefix for prefix in seeded["ids"] if operation.path.startswith(prefix)), None)
        if prefix:
            fixed["path_parameters"] = {"id": seeded["ids"][prefix]}
    if ("query", "cooperative") in names:
        fixed["query"] = {"cooperative": seeded["cooperative"]}
    return fixed


def _refer_to_seeded(case, references):
    """Point the ids a generated body holds at the seeded rows. POST /household/ and /plots/ also
    get the ``member`` the view requires (and the schema leaves out, see the test at the end)."""
    body = case.body
    if not isinstance(body, dict):
        return case
    if case.operation.method == "post" and case.operation.path in ("/api/v1/household/", "/api/v1/plots/"):
        body["member"] = references["member"]
    for key in ("cooperative", "member", "line"):
        if key in body:
            body[key] = references[key]
    if body.get("fund") is not None:
        body["fund"] = references["fund"]
    if isinstance(body.get("legs"), list):
        for index, leg in enumerate(body["legs"]):
            if isinstance(leg, dict):
                leg["account"] = references["accounts"][index % 2]
    return case


def _key(failure, response) -> str:
    """One line per kind of failure: what, where, and the start of the response."""
    text = response.text[:60].replace("\n", " ")
    if hasattr(failure, "instance_path"):  # the body does not match the documented schema
        return f"schema /{'/'.join(map(str, failure.instance_path))}: {failure.validation_message}"
    if hasattr(failure, "defined_status_codes"):
        return f"undocumented {response.status_code} {text}"
    return f"{failure.title}: {response.status_code} {text}"


def fuzz(operation, seeded, caller) -> dict[str, str]:
    """Run the generated cases; return the distinct failures, each with the request that caused it."""
    headers = {"Authorization": seeded["callers"][caller], "Accept-Language": "en"}
    fixed = _anchored(operation, seeded)
    strategies = [
        operation.as_strategy(),
        operation.as_strategy(GenerationMode.NEGATIVE, **fixed),
        operation.as_strategy(**fixed).map(lambda case: _refer_to_seeded(case, seeded["references"])),
    ]
    failures: dict[str, str] = {}

    @settings(max_examples=EXAMPLES * len(strategies), derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(strategies))
    def run(case):
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Failure, FailureGroup) as error:
            for failure in error.exceptions if isinstance(error, FailureGroup) else [error]:
                failures.setdefault(_key(failure, response), str(error))

    run()
    return failures


@pytest.mark.parametrize(("operation", "caller", "gaps"), list(_cases()))
def test_the_api_answers_as_its_schema_says(operation, caller, gaps, seeded):
    failures = fuzz(operation, seeded, caller)
    unexpected = {key: report for key, report in failures.items() if not key.startswith(tuple(gaps))}
    assert not unexpected, "\n".join(["", *unexpected, "", *unexpected.values()])
    if failures:
        raise SchemaGap("\n".join(failures))


@pytest.mark.parametrize("path", ["/api/v1/household/", "/api/v1/plots/"])
def test_the_create_bodies_document_the_member(path):
    content = SCHEMA.raw_schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    name = content["schema"]["$ref"].rsplit("/", 1)[-1]
    component = SCHEMA.raw_schema["components"]["schemas"][name]
    assert "member" in component["properties"] and "member" in component.get("required", [])
