import pytest

from tests.factories import MemberFactory


@pytest.mark.django_db
def test_accountant_sees_member_list(client, accountant, coop_pe):
    MemberFactory(cooperative=coop_pe, last_name="Peña Zapata")
    client.force_login(accountant)
    response = client.get("/members/")
    assert response.status_code == 200
    assert "Peña Zapata" in response.content.decode()
