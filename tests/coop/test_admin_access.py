"""The Django admin for co-op administrators: only their own co-ops, and the register read-only."""

from types import SimpleNamespace

import pytest

from coop.models import Cooperative, Role, RoleAssignment
from members.models import Member
from tests.factories import CooperativeFactory, MemberFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    a = CooperativeFactory(short_name="APOQ", name="Asociación Querecotillo")
    b = CooperativeFactory(short_name="BOSQ", name="Bosque Verde del Norte")
    w = SimpleNamespace(a=a, b=b)
    w.admin_a = user_with_role(Role.ADMIN, a, is_staff=True, username="jefa-apoq")
    w.admin_b = user_with_role(Role.ADMIN, b, is_staff=True, username="jefe-bosq")
    w.accountant_a = user_with_role(Role.ACCOUNTANT, a, username="contador-apoq")
    w.accountant_b = user_with_role(
        Role.ACCOUNTANT, b, username="contadora-bosq", email="privado-bosq@example.org", last_name="Bosqueña"
    )
    w.member_a = MemberFactory(cooperative=a, last_name="Alvarado")
    w.member_b = MemberFactory(cooperative=b, last_name="Bermeo")
    return w


def _b_traces(world):
    """Text that would show something of co-op B."""
    return [
        world.b.short_name, world.b.name, world.admin_b.username, world.accountant_b.username,
        world.accountant_b.email, world.member_b.last_name, world.member_b.national_id,
    ]


def _assert_nothing_of_b(response, world, echoed=""):
    """``echoed``: a search term the page repeats, which is not a leak."""
    text = response.content.decode()
    shown = [trace for trace in _b_traces(world) if trace in text and trace not in echoed]
    assert shown == [], f"{response.request['PATH_INFO']} shows {shown}"


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin_a)
    return client


def test_changelists_hold_only_own_coop(admin_client, world):
    response = admin_client.get("/admin/coop/cooperative/")
    assert response.status_code == 200
    assert [c.pk for c in response.context["cl"].result_list] == [world.a.pk]
    assert world.a.name in response.content.decode()
    _assert_nothing_of_b(response, world)

    response = admin_client.get("/admin/coop/roleassignment/")
    assert response.status_code == 200
    listed = {ra.pk for ra in response.context["cl"].result_list}
    assert listed == set(RoleAssignment.objects.filter(cooperative=world.a).values_list("pk", flat=True))
    assert world.accountant_a.username in response.content.decode()
    _assert_nothing_of_b(response, world)

    response = admin_client.get("/admin/members/member/")
    assert response.status_code == 200
    assert [m.pk for m in response.context["cl"].result_list] == [world.member_a.pk]
    _assert_nothing_of_b(response, world)


@pytest.mark.parametrize(
    "query", ["cooperative__id__exact={b}", "q=Bermeo", "q=BOSQ", "cooperative={b}", "role=admin&cooperative__id__exact={b}"]
)
@pytest.mark.parametrize("path", ["/admin/coop/roleassignment/", "/admin/members/member/", "/admin/coop/cooperative/"])
def test_changelist_filters_do_not_reach_other_coop(admin_client, world, path, query):
    query = query.format(b=world.b.pk)
    response = admin_client.get(f"{path}?{query}")
    assert response.status_code in (200, 302)  # the admin redirects (?e=1) on unknown filters
    if response.status_code == 200:
        assert len(response.context["cl"].result_list) == 0 or world.b.pk not in {
            getattr(row, "cooperative_id", row.pk) for row in response.context["cl"].result_list
        }
        _assert_nothing_of_b(response, world, echoed=query)


def _object_urls(world):
    ra_b = RoleAssignment.objects.get(user=world.accountant_b)
    return [
        f"/admin/coop/cooperative/{world.b.pk}/change/",
        f"/admin/coop/cooperative/{world.b.pk}/history/",
        f"/admin/coop/roleassignment/{ra_b.pk}/change/",
        f"/admin/coop/roleassignment/{ra_b.pk}/history/",
        f"/admin/coop/roleassignment/{ra_b.pk}/delete/",
        f"/admin/members/member/{world.member_b.pk}/change/",
        f"/admin/members/member/{world.member_b.pk}/history/",
    ]


def test_other_coops_objects_do_not_open(admin_client, world):
    for url in _object_urls(world):
        response = admin_client.get(url)
        assert response.status_code in (302, 403, 404), url
        _assert_nothing_of_b(response, world)


def test_posts_to_other_coops_objects_change_nothing(admin_client, world):
    ra_b = RoleAssignment.objects.get(user=world.accountant_b)
    before = (list(Cooperative.objects.values()), list(RoleAssignment.objects.values()), list(Member.objects.values()))
    admin_client.post(
        f"/admin/coop/cooperative/{world.b.pk}/change/",
        {"name": "Tomada", "short_name": "TOMA", "country": "PE", "currency": "USD",
         "dependent_age_limit": 18, "dependent_student_age_limit": 25},
    )
    admin_client.post(f"/admin/coop/roleassignment/{ra_b.pk}/delete/", {"post": "yes"})
    admin_client.post(
        f"/admin/coop/roleassignment/{ra_b.pk}/change/",
        {"user": world.accountant_b.pk, "cooperative": world.a.pk, "role": "accountant"},
    )
    assert (list(Cooperative.objects.values()), list(RoleAssignment.objects.values()), list(Member.objects.values())) == before


def test_role_can_be_granted_only_in_own_coop(admin_client, world):
    newcomer = UserFactory(username="nueva-contadora")
    response = admin_client.post(
        "/admin/coop/roleassignment/add/", {"user": newcomer.pk, "cooperative": world.b.pk, "role": "accountant"}
    )
    assert response.status_code == 200
    assert "cooperative" in response.context["adminform"].form.errors
    assert not RoleAssignment.objects.filter(user=newcomer).exists()

    response = admin_client.post(
        "/admin/coop/roleassignment/add/", {"user": newcomer.pk, "cooperative": world.a.pk, "role": "accountant"}
    )
    assert response.status_code == 302
    granted = RoleAssignment.objects.get(user=newcomer)
    assert (granted.cooperative, granted.role, granted.granted_by) == (world.a, "accountant", world.admin_a)


def test_own_role_assignment_cannot_be_moved_to_other_coop(admin_client, world):
    ra_a = RoleAssignment.objects.get(user=world.accountant_a)
    response = admin_client.post(
        f"/admin/coop/roleassignment/{ra_a.pk}/change/",
        {"user": world.accountant_a.pk, "cooperative": world.b.pk, "role": "accountant"},
    )
    assert response.status_code == 200
    ra_a.refresh_from_db()
    assert ra_a.cooperative == world.a


def test_own_cooperative_opens_and_can_be_changed(admin_client, world):
    response = admin_client.get(f"/admin/coop/cooperative/{world.a.pk}/change/")
    assert response.status_code == 200
    assert world.a.name in response.content.decode()


def test_member_admin_is_read_only(admin_client, world):
    url = f"/admin/members/member/{world.member_a.pk}/change/"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert world.member_a.last_name in response.content.decode()
    assert not response.context["has_change_permission"]

    before = list(Member.objects.values())
    data = {
        "cooperative": world.a.pk, "number": world.member_a.number, "first_name": "Cambiado",
        "last_name": "Cambiado", "national_id": world.member_a.national_id, "sex": "M",
        "birth_date": "1970-01-01", "village": "Otro", "join_date": "2000-01-01", "status": "withdrawn",
    }
    assert admin_client.post(url, data).status_code == 403
    assert admin_client.get("/admin/members/member/add/").status_code == 403
    assert admin_client.post("/admin/members/member/add/", data).status_code == 403
    assert admin_client.post(f"/admin/members/member/{world.member_a.pk}/delete/", {"post": "yes"}).status_code == 403
    assert list(Member.objects.values()) == before


def test_users_of_other_coops_are_not_shown(admin_client, world):
    """Administrators manage their own co-ops' people only."""
    response = admin_client.get("/admin/coop/user/")
    assert response.status_code == 200
    listed = {u.username for u in response.context["cl"].result_list}
    assert listed == {"jefa-apoq", "contador-apoq"}
    _assert_nothing_of_b(response, world)
    response = admin_client.get(f"/admin/coop/user/{world.accountant_b.pk}/change/")
    assert response.status_code in (302, 404)
    _assert_nothing_of_b(response, world)
    # The user search of the role form finds own people, not B's.
    for term, expected in (("contador-apoq", ["contador-apoq"]), ("contadora-bosq", [])):
        response = admin_client.get(
            "/admin/autocomplete/",
            {"app_label": "coop", "model_name": "roleassignment", "field_name": "user", "term": term},
        )
        assert response.status_code == 200
        assert [row["text"] for row in response.json()["results"]] == expected


def test_admin_creates_a_user_and_grants_a_role_in_own_coop_only(admin_client, world):
    from coop.models import User

    response = admin_client.post(
        "/admin/coop/user/add/",
        {"username": "nueva-contadora", "password1": "Banano-Piura-2026", "password2": "Banano-Piura-2026",
         "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="nueva-contadora")
    change_url = f"/admin/coop/user/{user.pk}/change/"
    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert "is_superuser" not in page.content.decode()
    form = {
        "username": "nueva-contadora", "first_name": "Nelly", "last_name": "Panta", "email": "",
        "preferred_language": "es", "is_active": "on",
        "role_assignments-TOTAL_FORMS": "1", "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0", "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-cooperative": str(world.b.pk), "role_assignments-0-role": "accountant",
    }
    response = admin_client.post(change_url, form)
    assert response.status_code == 200  # the form comes back with an error: B is not a choice
    assert not RoleAssignment.objects.filter(user=user).exists()
    form["role_assignments-0-cooperative"] = str(world.a.pk)
    assert admin_client.post(change_url, form).status_code == 302
    assert list(RoleAssignment.objects.filter(user=user).values_list("cooperative_id", "role")) == [
        (world.a.pk, "accountant")
    ]
    user.refresh_from_db()
    assert not user.is_superuser


def test_superuser_still_browses_users(client, world):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get("/admin/coop/user/").status_code == 200
    assert client.get(f"/admin/coop/user/{world.accountant_b.pk}/change/").status_code == 200
    ra_a = RoleAssignment.objects.get(user=world.accountant_a)
    assert "/admin/coop/user/" in client.get(f"/admin/coop/roleassignment/{ra_a.pk}/change/").content.decode()


def test_non_staff_accountant_cannot_open_admin(client, world):
    client.force_login(world.accountant_a)
    for url in ("/admin/", "/admin/coop/cooperative/", "/admin/members/member/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_staff_without_admin_role_sees_no_models(client, world):
    accountant = user_with_role(Role.ACCOUNTANT, world.a, is_staff=True)
    client.force_login(accountant)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response.context["app_list"] == []
    for url in ("/admin/coop/cooperative/", "/admin/coop/roleassignment/", "/admin/members/member/", "/admin/coop/user/"):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_admin_login(client, world):
    response = client.get("/admin/coop/cooperative/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_people_who_also_belong_to_another_coop_are_left_to_superusers(admin_client, world):
    """A cluster officer reading A and B is not A's administrator's to change (nor B's)."""
    cluster = user_with_role(Role.CLUSTER_STAFF, world.a, world.b, username="cluster-ab")
    for url in (f"/admin/coop/user/{cluster.pk}/change/", f"/admin/coop/user/{cluster.pk}/password/"):
        assert admin_client.get(url).status_code in (302, 404), url
    superuser = UserFactory(is_superuser=True, is_staff=True, username="root-user")
    assert admin_client.get(f"/admin/coop/user/{superuser.pk}/password/").status_code in (302, 404)
    listed = {u.username for u in admin_client.get("/admin/coop/user/").context["cl"].result_list}
    assert "cluster-ab" not in listed and "root-user" not in listed


def test_role_form_refuses_another_coops_user_by_id(admin_client, world):
    before = set(RoleAssignment.objects.values_list("pk", flat=True))
    response = admin_client.post(
        "/admin/coop/roleassignment/add/",
        {"user": world.accountant_b.pk, "cooperative": world.a.pk, "role": "accountant"},
    )
    assert response.status_code == 200  # the form comes back: not a valid choice
    assert set(RoleAssignment.objects.values_list("pk", flat=True)) == before
    # ... so B's accountant never comes into A's administrator's reach.
    assert admin_client.get(f"/admin/coop/user/{world.accountant_b.pk}/password/").status_code in (302, 404)


def test_coop_admin_cannot_change_country_or_currency(admin_client, world):
    page = admin_client.get(f"/admin/coop/cooperative/{world.a.pk}/change/").content.decode()
    assert 'name="country"' not in page and 'name="currency"' not in page and 'name="short_name"' not in page
    assert 'name="region"' in page
