"""Who reaches which rows of the member register: roles, co-ops, guessed ids, bad input, query counts.

Two co-ops, A and B, each with members who have a household member and a plot. Every page and API
endpoint is tried, by every role, against objects the role may not see (404), may see but not
change (403 on the API; 404 on pages, whose writes look the member up among the changeable ones),
and may change.
"""

import csv
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from coop.models import Role, User
from members import services
from members.models import HouseholdMember, Member, MemberStatusChange, Plot
from tests.factories import (
    CooperativeFactory,
    HouseholdMemberFactory,
    MemberFactory,
    PlotFactory,
    UserFactory,
    user_with_role,
)

JSON = "application/json"


# --- the world: co-ops A and B, their members, and one user per role -------------------------


def _member(cooperative, **fields):
    member = MemberFactory(cooperative=cooperative, **fields)
    HouseholdMemberFactory(member=member)
    PlotFactory(member=member)
    return member


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for this module, in a transaction rolled back at its end; each test runs in a
    savepoint of it (pytest-django's ``db``), so what a test writes is undone after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _each_test_in_a_savepoint(db):
    pass


def _build_world():
    a = CooperativeFactory(short_name="APOQ", name="Asociación Querecotillo")
    b = CooperativeFactory(short_name="BOSQ", name="Bosque Verde del Norte")
    w = SimpleNamespace(a=a, b=b)
    w.a1 = _member(a, last_name="Alvarado Uno", user=UserFactory(username="socio-a1"))
    w.a2 = _member(a, last_name="Alvarado Dos", user=UserFactory(username="socio-a2"))
    w.a3 = _member(a, last_name="Alvarado Tres")  # no login yet
    w.b1 = _member(b, last_name="Bermeo Uno", user=UserFactory(username="socio-b1"))
    w.b2 = _member(b, last_name="Bermeo Dos")  # no login yet
    w.users = {
        "admin_a": user_with_role(Role.ADMIN, a, is_staff=True),
        "accountant_a": user_with_role(Role.ACCOUNTANT, a),
        "board_a": user_with_role(Role.BOARD, a),
        "committee_a": user_with_role(Role.COMMITTEE, a),
        "cluster_a": user_with_role(Role.CLUSTER_STAFF, a),
        "cluster_ab": user_with_role(Role.CLUSTER_STAFF, a, b),
        # An importer holds its role in both co-ops, and still sees nothing of either register.
        "importer": user_with_role(Role.IMPORTER, a, b),
        "member_a1": w.a1.user,
        "member_a2": w.a2.user,
    }
    return w


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def _fingerprint():
    """Every row of the register, to show that a refused request changed nothing."""
    return {
        "members": list(Member.objects.order_by("pk").values()),
        "household": list(HouseholdMember.objects.order_by("pk").values()),
        "plots": list(Plot.objects.order_by("pk").values()),
        "status_changes": list(MemberStatusChange.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values_list("pk", "username")),
    }


# --- the requests: every page and API endpoint on one member's objects -------------------------


def _target(member):
    member = Member.objects.get(pk=member.pk)  # as stored now, not as an earlier test left the object
    return SimpleNamespace(
        member=member,
        m=member.pk,
        h=member.household.order_by("pk").first().pk,
        p=member.plots.order_by("pk").first().pk,
        c=member.cooperative_id,
    )


def _member_form(t):
    m = t.member
    return {
        "number": m.number, "first_name": m.first_name, "last_name": m.last_name,
        "national_id": m.national_id, "sex": m.sex, "birth_date": m.birth_date.isoformat(),
        "phone": "", "village": "Cambiado", "join_date": m.join_date.isoformat(),
    }


def _status(t):
    return {"status": "suspended", "effective_on": timezone.localdate().isoformat(), "reason": "Prueba"}


def _login(t):
    return {"username": f"nuevo-{t.m}", "password": "Banano-Justo-2024!"}


def _household(t):
    return {
        "relationship": "child", "first_name": "Pedro", "last_name": "Prueba", "national_id": "",
        "sex": "M", "birth_date": "2016-02-03", "since": "", "ended_on": "",
    }


def _plot(code):
    return {
        "code": code, "name": "Nueva", "area_ha": "2.5000", "latitude": "", "longitude": "",
        "boundary": "", "variety": "cavendish", "organic_status": "conventional",
        "organic_since": "", "certified_area_ha": "0", "last_inspection_on": "",
    }


def _api_household(t):
    return {**_household(t), "member": t.m, "since": None, "ended_on": None}


def _api_plot(t):
    data = {**_plot(f"API-{t.m}"), "member": t.m}
    for empty in ("latitude", "longitude", "boundary", "organic_since", "last_inspection_on"):
        data[empty] = None
    return data


# (name, method, url template, payload) -- page writes are tried with GET and POST.
PAGE_WRITES = [
    ("edit", "/members/{m}/edit/", _member_form),
    ("status", "/members/{m}/status/", _status),
    ("login", "/members/{m}/login/", _login),
    ("household_add", "/members/{m}/household/new/", _household),
    ("household_edit", "/members/{m}/household/{h}/edit/", _household),
    ("plot_add", "/members/{m}/plots/new/", lambda t: _plot(f"NEW-{t.m}")),
    ("plot_edit", "/members/{m}/plots/{p}/edit/", lambda t: {**_plot(f"EDIT-{t.m}"), "name": "Cambiada"}),
]
PAGE_CASES = [("page detail", "get", "/members/{m}/", None)] + [
    (f"page {name} {method.upper()}", method, url, payload if method == "post" else None)
    for name, url, payload in PAGE_WRITES
    for method in ("get", "post")
]
API_READS = [
    ("api member", "get", "/api/v1/members/{m}/", None),
    ("api household", "get", "/api/v1/household/{h}/", None),
    ("api plot", "get", "/api/v1/plots/{p}/", None),
]
API_WRITES = [
    ("api member PATCH", "patch", "/api/v1/members/{m}/", lambda t: {"village": "Cambiado"}),
    ("api member status", "post", "/api/v1/members/{m}/status/", _status),
    ("api household PATCH", "patch", "/api/v1/household/{h}/", lambda t: {"first_name": "Cambiado"}),
    ("api household POST", "post", "/api/v1/household/", _api_household),
    ("api plot PATCH", "patch", "/api/v1/plots/{p}/", lambda t: {"name": "Cambiada"}),
    ("api plot POST", "post", "/api/v1/plots/", _api_plot),
]
API_COOPERATIVE = ("api cooperative", "get", "/api/v1/cooperatives/{c}/", None)
ALL_CASES = PAGE_CASES + API_READS + API_WRITES + [API_COOPERATIVE]


def _request(client, case, target):
    _name, method, url, payload = case
    url = url.format(**vars(target))
    data = payload(target) if payload else None
    if url.startswith("/api/"):
        if method == "get":
            return client.get(url)
        return getattr(client, method)(url, data, content_type=JSON)
    return client.get(url) if method == "get" else client.post(url, data)


def _status_codes(client, world, case, attempts):
    """[(user, target member, got)] for each (user key, member key) attempt."""
    got = []
    for user_key, member_key in attempts:
        client.force_login(world.users[user_key])
        response = _request(client, case, _target(getattr(world, member_key)))
        got.append((user_key, member_key, response.status_code))
    return got


# --- 1. guessed ids: objects out of reach are 404 ---------------------------------------------

# user -> the members whose objects they must not even see
OUT_OF_REACH = {
    "accountant_a": ["b1", "b2"],
    "board_a": ["b2"],
    "committee_a": ["b2"],
    "cluster_a": ["b2"],
    "importer": ["a3", "b2"],  # an importer sees nothing of the register, in any co-op
    "member_a1": ["a2", "a3", "b2"],  # a member sees only their own record
    "member_a2": ["a1", "a3", "b2"],
}


@pytest.mark.parametrize("case", ALL_CASES, ids=[case[0] for case in ALL_CASES])
def test_objects_out_of_reach_are_not_found(client, world, case):
    before = _fingerprint()
    attempts = [(user, member) for user, members in OUT_OF_REACH.items() for member in members]
    got = _status_codes(client, world, case, attempts)
    wrong = [(user, member, status) for user, member, status in got if status != 404]
    assert wrong == [], f"expected 404 for {case[0]}"
    assert _fingerprint() == before


def test_page_urls_mixing_own_member_and_other_coops_person_are_not_found(client, world):
    """The accountant's own member id, with a household member or plot id of co-op B."""
    client.force_login(world.users["accountant_a"])
    own, other = _target(world.a3), _target(world.b2)
    before = _fingerprint()
    for url in (
        f"/members/{own.m}/household/{other.h}/edit/",
        f"/members/{own.m}/plots/{other.p}/edit/",
        f"/members/{own.m}/household/{_target(world.a2).h}/edit/",  # same co-op, another member
    ):
        assert client.get(url).status_code == 404, url
        payload = _household(own) if "household" in url else _plot("MIX-1")
        assert client.post(url, payload).status_code == 404, url
    assert _fingerprint() == before


LIST_URLS = ["/api/v1/members/", "/api/v1/household/", "/api/v1/plots/", "/api/v1/cooperatives/"]


def _listed_ids(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["id"] for row in rows}


@pytest.mark.parametrize(
    "user_key, member_keys, coop_keys",
    [
        ("admin_a", ["a1", "a2", "a3"], ["a"]),
        ("accountant_a", ["a1", "a2", "a3"], ["a"]),
        ("board_a", ["a1", "a2", "a3"], ["a"]),
        ("committee_a", ["a1", "a2", "a3"], ["a"]),
        ("cluster_a", ["a1", "a2", "a3"], ["a"]),
        ("cluster_ab", ["a1", "a2", "a3", "b1", "b2"], ["a", "b"]),
        ("importer", [], []),
        ("member_a1", ["a1"], []),
        ("member_a2", ["a2"], []),
    ],
)
def test_api_lists_hold_exactly_the_rows_in_reach(client, world, user_key, member_keys, coop_keys):
    client.force_login(world.users[user_key])
    members = [getattr(world, key) for key in member_keys]
    expected = {
        "/api/v1/members/": {m.pk for m in members},
        "/api/v1/household/": _ids(HouseholdMember.objects.filter(member__in=members)),
        "/api/v1/plots/": _ids(Plot.objects.filter(member__in=members)),
        "/api/v1/cooperatives/": {getattr(world, key).pk for key in coop_keys},
    }
    for url, ids in expected.items():
        assert _listed_ids(client, url) == ids, url
    # Asking for co-op B or one of its members by filter brings nothing new.
    b2 = _target(world.b2)
    for url, ids in (
        (f"/api/v1/members/?cooperative={world.b.pk}", {m.pk for m in members if m.cooperative_id == world.b.pk}),
        (f"/api/v1/household/?member={b2.m}", {b2.h} if "b2" in member_keys else set()),
        (f"/api/v1/plots/?member={b2.m}", {b2.p} if "b2" in member_keys else set()),
    ):
        assert _listed_ids(client, url) == ids, url


def test_member_list_page_and_export_hold_only_own_coop(client, world):
    client.force_login(world.users["accountant_a"])
    own = {world.a1.pk, world.a2.pk, world.a3.pk}
    for url in ("/members/", f"/members/?cooperative={world.b.pk}", "/members/?q=Bermeo"):
        response = client.get(url)
        assert response.status_code == 200
        assert {m.pk for m in response.context["page"].object_list} <= own, url
        for member in (world.b1, world.b2):
            assert member.national_id not in response.content.decode(), url
    assert {m.pk for m in client.get("/members/").context["page"].object_list} == own

    for kind in ("members", "household", "plots"):
        response = client.get(f"/members/export/{kind}.csv")
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        cells = {cell for row in csv.reader(io.StringIO(text)) for cell in row}
        assert world.a1.number in cells, kind
        for member in (world.b1, world.b2):
            assert member.number not in cells, kind
            assert member.national_id not in cells, kind


# --- 2. read but not write: 403 on the API, 404 on page writes -------------------------------

READ_ONLY_ATTEMPTS = [
    ("board_a", "a3"),
    ("committee_a", "a3"),
    ("cluster_a", "a3"),
    ("cluster_ab", "a3"),
    ("cluster_ab", "b2"),  # cluster staff given A and B read B too, and still cannot write
    ("member_a1", "a1"),  # a member reads their own record, and cannot change it
]


def _read_only_expectation(case, user_key):
    name, method, url, _payload = case
    if case is API_COOPERATIVE:
        return 404 if user_key.startswith("member") else 200
    if url.startswith("/api/"):
        return 200 if method == "get" else 403
    return 200 if name == "page detail" else 404


@pytest.mark.parametrize("case", ALL_CASES, ids=[case[0] for case in ALL_CASES])
def test_readers_read_and_cannot_write(client, world, case):
    before = _fingerprint()
    got = _status_codes(client, world, case, READ_ONLY_ATTEMPTS)
    wrong = [
        (user, member, status)
        for user, member, status in got
        if status != _read_only_expectation(case, user)
    ]
    assert wrong == [], f"{case[0]}: expected {[_read_only_expectation(case, u) for u, _m in READ_ONLY_ATTEMPTS]}"
    assert _fingerprint() == before


WRITES = [case for case in PAGE_CASES if case[1] == "post"] + API_WRITES


@pytest.mark.parametrize("user_key", ["admin_a", "accountant_a"])
@pytest.mark.parametrize("case", WRITES, ids=[case[0] for case in WRITES])
def test_writers_can_write(client, world, case, user_key):
    """The same requests that were refused above succeed for the co-op's administrator and accountant."""
    client.force_login(world.users[user_key])
    before = _fingerprint()
    response = _request(client, case, _target(world.a3))
    if case[2].startswith("/api/"):
        assert response.status_code == (200 if case[1] == "patch" else 201), response.content
    else:
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        assert response["Location"] == f"/members/{world.a3.pk}/"
    assert _fingerprint() != before


@pytest.mark.parametrize("user_key", ["accountant_a", "admin_a"])
def test_writers_reach_every_write_page(client, world, user_key):
    client.force_login(world.users[user_key])
    for case in [c for c in PAGE_CASES if c[1] == "get"]:
        response = _request(client, case, _target(world.a3))
        assert response.status_code == 200, case[0]
    for url in ("/members/new/", "/members/import/"):
        assert client.get(url).status_code == 200, url


def _new_member_payload(cooperative, **changes):
    return {
        "cooperative": cooperative.pk, "number": "9001", "first_name": "Nueva", "last_name": "Socia",
        "national_id": "47110815", "sex": "F", "birth_date": "1990-01-02", "phone": "",
        "village": "Mallares", "join_date": "2020-05-06", **changes,
    }


@pytest.mark.parametrize("user_key", ["board_a", "committee_a", "cluster_a", "cluster_ab", "importer", "member_a1"])
def test_read_only_roles_cannot_register_or_import(client, world, user_key):
    client.force_login(world.users[user_key])
    before = _fingerprint()
    for url in ("/members/new/", "/members/import/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/members/new/", _new_member_payload(world.a)).status_code == 403
    content = "numero,nombres,apellidos,dni,sexo,fecha_nacimiento,caserio,fecha_ingreso\n"
    upload = {"kind": "members", "cooperative": world.a.pk, "file": _csv_file(content)}
    assert client.post("/members/import/", upload).status_code == 403
    for cooperative in (world.a, world.b):
        response = client.post("/api/v1/members/", _new_member_payload(cooperative), content_type=JSON)
        assert response.status_code == 403, cooperative
    assert _fingerprint() == before


def _csv_file(text):
    return SimpleUploadedFile("socios.csv", text.encode(), content_type="text/csv")


def test_accountant_registers_by_api_only_in_own_coop(client, world):
    client.force_login(world.users["accountant_a"])
    response = client.post("/api/v1/members/", _new_member_payload(world.b), content_type=JSON)
    # B is not among the co-ops this accountant registers in: refused as an unknown choice.
    assert response.status_code == 400
    assert list(response.json()) == ["cooperative"]
    assert not Member.objects.filter(number="9001").exists()
    response = client.post("/api/v1/members/", _new_member_payload(world.a), content_type=JSON)
    assert response.status_code == 201, response.content
    assert Member.objects.get(number="9001").cooperative == world.a


def test_board_member_post_changes_nothing(client, world):
    client.force_login(world.users["board_a"])
    t = _target(world.a3)
    before = _fingerprint()
    for _name, url, payload in PAGE_WRITES:
        assert client.post(url.format(**vars(t)), payload(t)).status_code == 404, url
    for _name, method, url, payload in API_WRITES:
        response = getattr(client, method)(url.format(**vars(t)), payload(t), content_type=JSON)
        assert response.status_code == 403, url
    assert _fingerprint() == before
    world.a3.refresh_from_db()
    assert world.a3.village != "Cambiado" and world.a3.status == "active" and world.a3.user_id is None


# --- 3. a member who logs in -------------------------------------------------------------------


def test_member_lands_on_own_page_and_sees_nothing_else(client, world):
    client.force_login(world.users["member_a1"])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/members/me/"
    page = client.get("/members/me/")
    assert page.status_code == 200
    assert page.context["member"] == world.a1
    assert "Alvarado Uno" in page.content.decode()
    assert client.get(f"/members/{world.a1.pk}/").status_code == 200

    assert client.get("/members/").status_code == 403
    assert client.get("/members/export/members.csv").status_code == 403
    assert client.get("/cooperatives/").status_code in (403, 404)
    assert client.get(f"/cooperatives/{world.a.pk}/").status_code == 404

    assert _listed_ids(client, "/api/v1/members/") == {world.a1.pk}
    me = client.get("/api/v1/members/me/")
    assert me.status_code == 200
    assert me.json()["id"] == world.a1.pk
    assert {p["id"] for p in me.json()["plots"]} == _ids(world.a1.plots.all())


def test_staff_without_member_record_has_no_me_page(client, world):
    client.force_login(world.users["accountant_a"])
    assert client.get("/members/me/").status_code == 404
    assert client.get("/api/v1/members/me/").status_code == 404
    assert client.get("/").status_code == 302


def test_importer_home_is_refused(client, world):
    client.force_login(world.users["importer"])
    assert client.get("/").status_code == 403
    assert client.get("/members/").status_code == 403
    assert client.get("/cooperatives/").status_code in (403, 404)


# --- 4. bad input: clear errors, never a 500 -------------------------------------------------


@pytest.fixture
def accountant_client(client, world):
    client.force_login(world.users["accountant_a"])
    return client


def test_api_register_with_bad_dni_names_the_field(accountant_client, world):
    response = accountant_client.post(
        "/api/v1/members/", _new_member_payload(world.a, national_id="1234"), content_type=JSON
    )
    assert response.status_code == 400
    assert "national_id" in response.json()
    assert not Member.objects.filter(number="9001").exists()


def test_api_register_with_duplicate_number_names_the_field(accountant_client, world):
    response = accountant_client.post(
        "/api/v1/members/", _new_member_payload(world.a, number=world.a1.number), content_type=JSON
    )
    assert response.status_code == 400
    assert "number" in response.json(), response.json()
    assert Member.objects.filter(cooperative=world.a, number=world.a1.number).count() == 1


def test_api_register_with_duplicate_national_id_names_the_field(accountant_client, world):
    response = accountant_client.post(
        "/api/v1/members/", _new_member_payload(world.a, national_id=world.a1.national_id), content_type=JSON
    )
    assert response.status_code == 400
    assert "national_id" in response.json(), response.json()


def test_same_number_in_another_coop_is_allowed(accountant_client, world):
    response = accountant_client.post(
        "/api/v1/members/", _new_member_payload(world.a, number=world.b1.number), content_type=JSON
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "data, field",
    [
        ({"birth_date": "31/02/1980"}, "birth_date"),
        ({"join_date": "not a date"}, "join_date"),
        ({"join_date": "1900-01-01"}, "join_date"),  # before the birth date
        ({"national_id": "ABCDEFGH"}, "national_id"),
        ({"sex": "X"}, "sex"),
    ],
)
def test_api_patch_with_bad_values_is_400(accountant_client, world, data, field):
    before = _fingerprint()
    response = accountant_client.patch(f"/api/v1/members/{world.a3.pk}/", data, content_type=JSON)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert _fingerprint() == before


def test_api_status_change_to_same_status_is_400(accountant_client, world):
    before = _fingerprint()
    data = {"status": "active", "effective_on": timezone.localdate().isoformat(), "reason": "Otra vez"}
    response = accountant_client.post(f"/api/v1/members/{world.a3.pk}/status/", data, content_type=JSON)
    assert response.status_code == 400
    assert "status" in response.json()
    assert _fingerprint() == before


@pytest.mark.parametrize(
    "data, field",
    [
        ({"status": "retired"}, "status"),
        ({"effective_on": "2999-01-01"}, "effective_on"),
        ({"effective_on": "yesterday"}, "effective_on"),
        ({"reason": ""}, "reason"),
    ],
)
def test_api_status_change_bad_values_are_400(accountant_client, world, data, field):
    payload = {**_status(None), **data}
    response = accountant_client.post(f"/api/v1/members/{world.a3.pk}/status/", payload, content_type=JSON)
    assert response.status_code == 400
    assert field in response.json(), response.json()


@pytest.mark.parametrize("url", ["/api/v1/household/", "/api/v1/plots/"])
@pytest.mark.parametrize("member", ["", "abc", "²", "1.5", [1], None])
def test_api_part_create_with_malformed_member_is_400(accountant_client, url, member):
    data = {"member": member} if member is not None else {}
    response = accountant_client.post(url, data, content_type=JSON)
    assert response.status_code == 400
    assert list(response.json()) == ["member"]


@pytest.mark.parametrize("url", ["/api/v1/household/", "/api/v1/plots/"])
@pytest.mark.parametrize("member", ["-1", "99999999999999999999", 0])
def test_api_part_create_with_unknown_member_is_404(accountant_client, url, member):
    assert accountant_client.post(url, {"member": member}, content_type=JSON).status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/household/", "/api/v1/plots/", "/api/v1/members/"])
@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "[" * 100_000 + "]" * 100_000, "{not json"])
def test_api_bodies_that_are_not_objects_are_400(accountant_client, url, body):
    response = accountant_client.post(url, body, content_type=JSON)
    assert response.status_code == 400


def test_page_member_form_with_errors_shows_them_and_saves_nothing(accountant_client, world):
    t = _target(world.a3)
    before = _fingerprint()
    response = accountant_client.post(f"/members/{t.m}/edit/", {**_member_form(t), "national_id": "12AB"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "national_id" in errors
    assert escape(errors["national_id"][0]) in response.content.decode()
    assert _fingerprint() == before

    response = accountant_client.post(
        "/members/new/", {**_new_member_payload(world.a), "birth_date": "no es fecha", "number": ""}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"birth_date", "number"} <= set(errors)
    assert escape(errors["birth_date"][0]) in response.content.decode()
    assert _fingerprint() == before

    # Errors found by the service (the co-op's ID rules) land on their field too.
    response = accountant_client.post("/members/new/", _new_member_payload(world.a, national_id="1234"))
    assert response.status_code == 200
    assert "national_id" in response.context["form"].errors
    assert _fingerprint() == before


def test_page_duplicate_number_is_shown(accountant_client, world):
    before = _fingerprint()
    response = accountant_client.post("/members/new/", _new_member_payload(world.a, number=world.a1.number))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    message = (form.errors.get("number") or form.non_field_errors())[0]
    assert escape(message) in response.content.decode()
    assert _fingerprint() == before


def test_page_status_to_same_status_is_shown(accountant_client, world):
    before = _fingerprint()
    response = accountant_client.post(f"/members/{world.a3.pk}/status/", {**_status(None), "status": "active"})
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    assert _fingerprint() == before


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        f"/members/{HUGE}/",
        f"/members/{HUGE}/edit/",
        f"/members/{HUGE}/status/",
        f"/members/{HUGE}/login/",
        f"/members/{HUGE}/household/new/",
        f"/members/{HUGE}/plots/new/",
        f"/members/{{a}}/household/{HUGE}/edit/",
        f"/members/{{a}}/plots/{HUGE}/edit/",
        "/members/abc/",
        "/members/-1/",
        "/members/1.5/edit/",
        f"/cooperatives/{HUGE}/",
        "/cooperatives/abc/",
        f"/api/v1/members/{HUGE}/",
        f"/api/v1/members/{HUGE}/status/",
        "/api/v1/members/abc/",
        "/api/v1/members/-1/",
        f"/api/v1/household/{HUGE}/",
        "/api/v1/household/abc/",
        f"/api/v1/plots/{HUGE}/",
        "/api/v1/plots/1e3/",
        f"/api/v1/cooperatives/{HUGE}/",
        "/api/v1/cooperatives/abc/",
        "/members/export/unknown.csv",
        "/members/export/.csv",
    ],
)
def test_odd_ids_are_404_not_500(accountant_client, world, url):
    url = url.format(a=world.a3.pk)
    if url.startswith("/api/") and url.endswith("/status/"):
        assert accountant_client.post(url, _status(None), content_type=JSON).status_code == 404
        return
    assert accountant_client.get(url).status_code == 404
    if not url.startswith("/api/"):
        assert accountant_client.post(url, {}).status_code in (404, 405)
    elif "cooperatives" not in url:
        assert accountant_client.patch(url, {"name": "x"}, content_type=JSON).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=999",
        "page=0",
        "page=-1",
        f"page={HUGE}",
        f"cooperative={HUGE}",
        "cooperative=abc",
        "cooperative=²",  # a digit to str.isdigit(), not to int()
        "per_page=²",
        "per_page=100000",
        "status=nonsense&organic=nonsense&village=" + "x" * 500,
        "q=" + "%25" * 300,
    ],
)
def test_member_list_odd_query_strings_are_200(accountant_client, world, query):
    response = accountant_client.get(f"/members/?{query}")
    assert response.status_code == 200
    assert accountant_client.get(f"/members/?{query}", HTTP_HX_REQUEST="true").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        f"cooperative={HUGE}", "cooperative=abc", "cooperative=²", "status=x&organic=y", f"member={HUGE}",
        "member=²", "member=-1", "search=%25%25", "page=abc", "page=999",
    ],
)
def test_api_lists_odd_query_strings_are_not_500(accountant_client, world, query):
    for url in LIST_URLS:
        # DRF answers a page that does not exist with 404; anything else must be a 200.
        expected = 404 if query.startswith("page=") else 200
        assert accountant_client.get(f"{url}?{query}").status_code == expected, url


def test_export_of_unknown_kind_is_404(accountant_client, world):
    assert accountant_client.get("/members/export/unknown.csv").status_code == 404
    for cooperative in (HUGE, "abc", "²"):
        response = accountant_client.get(f"/members/export/members.csv?cooperative={cooperative}")
        assert response.status_code == 200
        b"".join(response.streaming_content)


# --- 5. query counts do not grow with the data ------------------------------------------------


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return len(queries)


def _add_members(cooperative, count):
    for _ in range(count):
        member = MemberFactory(cooperative=cooperative)
        HouseholdMemberFactory(member=member)
        PlotFactory(member=member)


@pytest.mark.parametrize("user_key", ["accountant_a", "cluster_ab"])  # cluster staff see a co-op column
@pytest.mark.parametrize(
    "url", ["/members/", "/members/?page=2", "/api/v1/members/", "/api/v1/plots/", "/api/v1/household/"]
)
def test_list_query_count_does_not_grow_with_members(client, world, url, user_key):
    client.force_login(world.users[user_key])
    _add_members(world.a, 2)  # 5 members in A
    small = _count_queries(client, url)
    _add_members(world.a, 55)  # 60 members in A
    large = _count_queries(client, url)
    assert small == large


@pytest.mark.parametrize("user_key", ["accountant_a", "member_a1"])
def test_detail_query_count_does_not_grow_with_household_and_plots(client, world, user_key):
    """Grown through the services, by different users, so that each row has history naming its author."""
    client.force_login(world.users[user_key])
    member = world.a1

    def grow_to(count):
        while member.household.count() < count:
            services.household_member_add(
                member=member, actor=UserFactory(first_name="Autor"),
                **{**_household(None), "first_name": f"Hijo {member.household.count()}", "since": None, "ended_on": None},
            )
        while member.plots.count() < count:
            fields = {k: v for k, v in _api_plot(_target(member)).items() if k != "member"}
            services.plot_add(member=member, actor=UserFactory(), **{**fields, "code": f"G-{member.plots.count()}"})
        while member.status_changes.count() < count:
            MemberStatusChange.objects.create(
                cooperative=member.cooperative, member=member, status="active",
                effective_on=member.join_date, reason="Registro", recorded_by=UserFactory(),
            )

    grow_to(2)
    urls = [f"/members/{member.pk}/", f"/api/v1/members/{member.pk}/"]
    small = [_count_queries(client, url) for url in urls]
    grow_to(10)
    assert [_count_queries(client, url) for url in urls] == small


# --- 7. anonymous requests -----------------------------------------------------------------------

ANONYMOUS_PAGES = [
    "/",
    "/members/",
    "/members/new/",
    "/members/me/",
    "/members/import/",
    "/members/export/members.csv",
    "/cooperatives/",
    "/cooperatives/{c}/",
] + [case[2] for case in PAGE_CASES if case[1] == "get"]


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_anonymous_pages_redirect_to_login(client, world, url):
    url = url.format(**vars(_target(world.a3)))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    if url != "/" and "export" not in url and "/cooperatives/" not in url and not url.endswith("/me/"):
        response = client.post(url, {})
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/?next=")


def test_anonymous_api_is_refused(client, world):
    t = _target(world.a3)
    before = _fingerprint()
    for url in LIST_URLS + ["/api/v1/members/me/"]:
        response = client.get(url)
        assert response.status_code in (401, 403), url
        assert "results" not in response.json()
    for case in API_READS + API_WRITES + [API_COOPERATIVE]:
        response = _request(client, case, t)
        assert response.status_code in (401, 403), case[0]
    response = client.post("/api/v1/members/", _new_member_payload(world.a), content_type=JSON)
    assert response.status_code in (401, 403)
    assert _fingerprint() == before


def test_personal_pages_are_not_shared_by_caches(client, world):
    client.force_login(world.users["member_a1"])
    for url in ("/members/me/", f"/members/{world.a1.pk}/", "/api/v1/members/me/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Cookie" in response.get("Vary", ""), url
        assert "public" not in response.get("Cache-Control", ""), url


@pytest.mark.parametrize("user_key", ["board_a", "committee_a", "cluster_ab", "importer", "member_a1"])
def test_read_only_callers_get_403_before_any_validation_message(client, world, user_key):
    client.force_login(world.users[user_key])
    before = _fingerprint()
    response = client.post("/api/v1/members/", {"cooperative": world.b.pk, "national_id": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "national_id" not in response.content.decode()
    assert _fingerprint() == before


def test_another_coops_id_reads_like_an_unknown_one_when_registering(client, world):
    client.force_login(world.users["accountant_a"])
    answers = [
        client.post("/api/v1/members/", {"cooperative": pk}, content_type="application/json").json()["cooperative"]
        for pk in (world.b.pk, 999_999)
    ]
    assert answers[0] == [m.replace("999999", str(world.b.pk)) for m in answers[1]]


def test_member_number_search_ignores_leading_zeros(accountant_client, world):
    number = world.a3.number.lstrip("0")
    response = accountant_client.get("/members/", {"q": number})
    assert world.a3.last_name in response.content.decode()


def test_htmx_gets_rows_but_a_history_restore_gets_the_whole_page(accountant_client, world):
    rows = accountant_client.get("/members/", HTTP_HX_REQUEST="true")
    assert "<html" not in rows.content.decode() and "<table" in rows.content.decode()
    assert "HX-Request" in rows["Vary"]
    restored = accountant_client.get("/members/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restored.content.decode()
