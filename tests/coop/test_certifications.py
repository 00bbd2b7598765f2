"""Certification expiry: the warning window and the emails to each co-op's administrators."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone, translation

from coop.models import Certification, Role
from coop.services import certification_expiry_notify
from tests.factories import CertificationFactory, CooperativeFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def certification_expiring_in(n: int, **fields) -> Certification:
    today = timezone.localdate()
    return CertificationFactory(issued_on=today - days(400), expires_on=today + days(n), **fields)


# --- is_expiring_soon / is_expired ------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "expiring_soon", "expired"),
    [
        (365, False, False),
        (91, False, False),
        (90, True, False),
        (1, True, False),
        (0, True, False),  # expires today: still valid today
        (-1, False, True),
        (-30, False, True),
    ],
)
def test_expiry_window(days_left, expiring_soon, expired):
    certification = certification_expiring_in(days_left)
    assert certification.days_to_expiry() == days_left
    assert certification.is_expiring_soon is expiring_soon
    assert certification.is_expired is expired


def test_the_window_follows_the_setting(settings):
    settings.CERTIFICATION_WARNING_DAYS = 30
    assert certification_expiring_in(30).is_expiring_soon is True
    assert certification_expiring_in(31).is_expiring_soon is False


def test_days_to_expiry_from_a_given_day():
    certification = CertificationFactory(issued_on=datetime.date(2025, 1, 1), expires_on=datetime.date(2028, 1, 1))
    assert certification.days_to_expiry(datetime.date(2027, 12, 31)) == 1
    assert certification.days_to_expiry(datetime.date(2027, 1, 1)) == 365
    assert certification.days_to_expiry(datetime.date(2028, 1, 2)) == -1


# --- certification_expiry_notify ----------------------------------------------------------------


@pytest.fixture
def coop(coop_pe):
    return coop_pe


@pytest.fixture
def admins(coop):
    return [
        user_with_role(Role.ADMIN, coop, username="gerente", email="gerente@apoq.pe", preferred_language="en"),
        user_with_role(Role.ADMIN, coop, username="presidenta", email="presidenta@apoq.pe", preferred_language="es"),
    ]


@pytest.fixture
def not_to_be_warned(coop):
    """Users of the co-op who must get no email: an admin without email, a former admin, other roles."""
    user_with_role(Role.ADMIN, coop, username="sin-correo", email="")
    user_with_role(Role.ADMIN, coop, username="ex-gerente", email="ex@apoq.pe", is_active=False)
    user_with_role(Role.ACCOUNTANT, coop, username="contadora", email="contadora@apoq.pe")
    user_with_role(Role.BOARD, coop, username="directivo", email="directivo@apoq.pe")
    UserFactory(username="suelto", email="suelto@apoq.pe")


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_one_email_per_admin_with_an_email(coop, admins, not_to_be_warned):
    certification = certification_expiring_in(30, cooperative=coop, number="FLO-2024-117", certifier="FLOCERT")

    assert certification_expiry_notify() == 1

    assert recipients() == ["gerente@apoq.pe", "presidenta@apoq.pe"]
    assert all(len(message.to) == 1 for message in mail.outbox)
    date = certification.expires_on.strftime("%d/%m/%Y")  # day first, in both languages
    english = next(m for m in mail.outbox if m.to == ["gerente@apoq.pe"])
    assert english.subject == f"APOQ: Fairtrade expires on {date}"
    assert english.body == (
        f"Certificate FLO-2024-117 (Fairtrade, FLOCERT) of {coop.name} expires on {date}, in 30 days. "
        "Plan the renewal audit."
    )
    # Each admin reads it in their own language.
    spanish = next(m for m in mail.outbox if m.to == ["presidenta@apoq.pe"])
    assert spanish.subject != english.subject
    assert spanish.subject.startswith("APOQ: ")
    assert spanish.subject.endswith(date)


def test_the_notice_is_recorded_and_not_sent_twice(coop, admins):
    certification = certification_expiring_in(45, cooperative=coop)
    certification_expiry_notify()
    certification.refresh_from_db()
    assert certification.expiry_notice_for == certification.expires_on
    assert len(mail.outbox) == 2

    assert certification_expiry_notify() == 0
    assert certification_expiry_notify(today=timezone.localdate() + days(10)) == 0
    assert len(mail.outbox) == 2


def test_a_renewal_warns_again(coop, admins):
    certification = certification_expiring_in(20, cooperative=coop)
    certification_expiry_notify()
    assert len(mail.outbox) == 2

    # Renewed for a year: nothing now, a new warning when the new date comes near.
    certification.expires_on += days(365)
    certification.save()
    assert certification_expiry_notify() == 0
    assert len(mail.outbox) == 2
    later = certification.expires_on - days(60)
    assert certification_expiry_notify(today=later) == 1
    assert len(mail.outbox) == 4
    assert mail.outbox[-1].subject.endswith(certification.expires_on.strftime("%d/%m/%Y"))
    certification.refresh_from_db()
    assert certification.expiry_notice_for == certification.expires_on


def test_an_expiry_date_moved_within_the_window_warns_again(coop, admins):
    certification = certification_expiring_in(20, cooperative=coop)
    certification_expiry_notify()
    Certification.objects.filter(pk=certification.pk).update(expires_on=certification.expires_on + days(30))
    assert certification_expiry_notify() == 1
    assert len(mail.outbox) == 4
    assert "in 50 days" in next(m for m in mail.outbox[2:] if m.to == ["gerente@apoq.pe"]).body


@pytest.mark.parametrize(("days_left", "warned"), [(91, False), (90, True), (0, True), (-1, False)])
def test_only_certifications_in_the_window_are_warned_about(coop, admins, days_left, warned):
    certification = certification_expiring_in(days_left, cooperative=coop)
    assert certification_expiry_notify() == (1 if warned else 0)
    assert len(mail.outbox) == (2 if warned else 0)
    certification.refresh_from_db()
    assert (certification.expiry_notice_for is not None) is warned


def test_admins_of_other_coops_get_nothing(coop, admins):
    other = CooperativeFactory(short_name="NORANDINO")
    user_with_role(Role.ADMIN, other, username="otro-gerente", email="gerente@norandino.pe", preferred_language="en")
    CertificationFactory(cooperative=other, issued_on=datetime.date(2024, 1, 1), expires_on=timezone.localdate() + days(200))
    certification_expiring_in(10, cooperative=coop)

    certification_expiry_notify()
    assert recipients() == ["gerente@apoq.pe", "presidenta@apoq.pe"]
    assert not any("NORANDINO" in message.subject for message in mail.outbox)


def test_each_coops_admins_hear_about_their_own_certifications(coop, admins):
    other = CooperativeFactory(short_name="NORANDINO")
    user_with_role(Role.ADMIN, other, username="otro-gerente", email="gerente@norandino.pe", preferred_language="en")
    both = user_with_role(Role.ADMIN, coop, other, username="cluster", email="cluster@coop.org", preferred_language="en")
    certification_expiring_in(10, cooperative=coop)
    certification_expiring_in(80, cooperative=other, kind="other", name="Rainforest Alliance")

    assert certification_expiry_notify() == 2

    norandino = [m for m in mail.outbox if m.to == ["gerente@norandino.pe"]]
    assert [m.subject.split(" expires on ")[0] for m in norandino] == ["NORANDINO: Rainforest Alliance"]
    assert sorted(m.subject.split(":")[0] for m in mail.outbox if m.to == [both.email]) == ["APOQ", "NORANDINO"]
    assert len(mail.outbox) == 5


def test_several_certifications_of_one_coop_each_get_their_email(coop, admins):
    certification_expiring_in(10, cooperative=coop, kind="fairtrade")
    certification_expiring_in(60, cooperative=coop, kind="organic_eu")
    assert certification_expiry_notify() == 2
    english = sorted(m.subject for m in mail.outbox if m.to == ["gerente@apoq.pe"])
    assert [s.split(" expires on ")[0] for s in english] == ["APOQ: Fairtrade", "APOQ: Organic (EU)"]


def test_a_coop_without_an_admin_email_is_warned_once_one_exists(coop):
    certification = certification_expiring_in(30, cooperative=coop)
    user_with_role(Role.ADMIN, coop, username="sin-correo", email="")

    assert certification_expiry_notify() == 0
    certification.refresh_from_db()
    assert certification.expiry_notice_for is None
    assert mail.outbox == []

    user_with_role(Role.ADMIN, coop, username="gerente", email="gerente@apoq.pe")
    assert certification_expiry_notify() == 1
    assert recipients() == ["gerente@apoq.pe"]


def test_one_day_left_is_singular(coop, admins):
    certification_expiring_in(1, cooperative=coop, number="FLO-1")
    certification_expiry_notify()
    english = next(m for m in mail.outbox if m.to == ["gerente@apoq.pe"])
    assert ", in 1 day. Plan" in english.body


def test_a_failed_send_keeps_earlier_notices_and_is_tried_again(coop, admins, monkeypatch):
    first = certification_expiring_in(10, cooperative=coop, number="FLO-A")
    second = certification_expiring_in(20, cooperative=coop, number="FLO-B")
    import smtplib

    from coop import services

    real_send = services.send_mail

    def failing_for_b(*args, **kwargs):
        if "FLO-B" in kwargs["message"]:
            raise smtplib.SMTPServerDisconnected("gone")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(services, "send_mail", failing_for_b)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        certification_expiry_notify()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.expiry_notice_for == first.expires_on
    assert second.expiry_notice_for is None

    monkeypatch.setattr(services, "send_mail", real_send)
    assert certification_expiry_notify() == 1  # only FLO-B now
