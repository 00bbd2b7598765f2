"""The loading sheet in a real browser, typed as a loading clerk types it: keyboard only, one
producer's line after another, Enter adds the line and the cursor is back in the member number."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from coop.models import Role
from coop.services import cooperative_create
from exports.models import Delivery, Importer, Product, RejectionReason, ShipmentStatus
from exports.services import delivery_add, shipment_create
from members.models import Plot
from tests.factories import MemberFactory, PlotFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
CAPACITY = 120

# (member number as typed, plot code or "" when the member has one plot, accepted, rejected, reason key)
LINES = [
    ("101", "", 14, 0, ""),
    ("0102", "APOQ-0102-B", 15, 0, ""),  # two plots: the code is typed
    ("103", "", 12, 2, "c"),  # rejected boxes: the reason picked by typing its first letter
    ("0104", "", 18, 0, ""),
    ("105", "apoq-0105-a", 11, 0, ""),  # the code in any case
    ("0106", "", 16, 3, "p"),
    ("107", "", 10, 0, ""),
]
OVERFLOW = ("108", "", 30, 0, "")  # 96 loaded: 24 more fit, not 30
LAST = ("108", "", 24, 1, "c")  # retyped: fills the container


@pytest.fixture
def loading(db):
    coop = cooperative_create(name="Asociación de Productores APOQ", short_name="APOQ", country="PE")
    clerk = user_with_role(Role.ACCOUNTANT, coop, username="contadora", first_name="Rosa")
    importer = Importer.objects.create(name="Bananen Import Hamburg", country="Germany")
    product = Product.objects.create(cooperative=coop, code="BAN-1814", name="Banano caja 18,14 kg",
                                     kg_per_unit=Decimal("18.140"), units_per_container=1080)
    reasons = {"c": RejectionReason.objects.create(cooperative=coop, code="CIC", name="Cicatrices"),
               "p": RejectionReason.objects.create(cooperative=coop, code="COR", name="Pudrición de corona")}
    shipment = shipment_create(cooperative=coop, actor=clerk, importer=importer, product=product,
                               container_number="TGHU7687318", etd=timezone.localdate() + datetime.timedelta(days=3),
                               port_of_loading="Paita", port_of_destination="Hamburg",
                               price_per_box=Decimal("14.50"), capacity=CAPACITY)
    for number in range(101, 109):
        member = MemberFactory(cooperative=coop, number=f"{number:04d}")
        PlotFactory(member=member, cooperative=coop, code=f"APOQ-{number:04d}-A")
        if number == 102:
            PlotFactory(member=member, cooperative=coop, code=f"APOQ-{number:04d}-B")
    # Another co-op's member with the same number must not be picked.
    other = cooperative_create(name="Hualtaco", short_name="HUALTACO", country="PE")
    PlotFactory(member=MemberFactory(cooperative=other, number="0101"), cooperative=other, code="HUAL-0101-A")
    return shipment, clerk, reasons


def log_in(page, base_url, username, next_url):
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.focus("input[name=username]")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    # The login page's own address holds ?next=<next_url>: wait for the page itself.
    page.wait_for_url(lambda url: url.split("?")[0].endswith(next_url))


def active_name(page):
    return page.evaluate("document.activeElement && document.activeElement.name")


def rows(page):
    return page.locator("#sheet table.sheet tbody tr")


def type_line(page, line):
    """From the member field: member, Tab, plot (or nothing), Tab, accepted, Tab, rejected and,
    with rejected boxes, Tab and the reason's first letter; Enter from the last text field typed."""
    member, plot, accepted, rejected, reason = line
    assert active_name(page) == "member"
    page.keyboard.type(member)
    page.keyboard.press("Tab")
    page.keyboard.type(plot)
    page.keyboard.press("Tab")
    page.keyboard.type(str(accepted))  # Tab into a field selects its text: typing replaces the 0
    page.keyboard.press("Tab")
    page.keyboard.type(str(rejected))
    if reason:
        page.keyboard.press("Tab")
        page.keyboard.type(reason)  # a closed <select> picks the option typed
        page.keyboard.press("Shift+Tab")  # Enter in a <select> does not submit: back to a text field
    settled = page.evaluate("window.settled")
    page.keyboard.press("Enter")
    page.wait_for_function("n => window.settled > n", arg=settled)


def test_a_clerk_types_a_day_of_loading_with_the_keyboard_only(browser, live_server, screenshot, loading):
    shipment, clerk, reasons = loading
    sheet_url = f"/exports/shipments/{shipment.pk}/loading/"
    context = browser.new_context(locale="en-GB", viewport=DESKTOP)
    page = context.new_page()
    log_in(page, live_server.url, clerk.username, sheet_url)
    assert page.locator("h1").inner_text().startswith("Loading sheet")
    # Counts htmx's settled swaps: the body is not swapped, so the listener stays.
    page.evaluate("window.settled = 0; document.body.addEventListener('htmx:afterSettle', () => window.settled++)")
    assert active_name(page) == "member"  # autofocus on the first load
    assert f"0 / {CAPACITY} boxes" in page.locator("#sheet .totals").inner_text()

    loaded = rejected = 0
    for count, line in enumerate(LINES, start=1):
        type_line(page, line)
        expect_rows(page, count)
        assert active_name(page) == "member", f"focus not back in the member field after line {count}"
        loaded, rejected = loaded + line[2], rejected + line[3]
        totals = page.locator("#sheet .totals").inner_text()
        assert f"{loaded} / {CAPACITY} boxes" in totals and f"{CAPACITY - loaded} free" in totals
        assert f"{rejected} rejected" in totals
        assert page.locator("#sheet .error").count() == 0
        assert page.input_value("input[name=member]") == ""  # a fresh line
        assert page.input_value("input[name=date]") == timezone.localdate().isoformat()  # the date kept

    # One line too many: refused in the page, nothing added, the typed values kept.
    type_line(page, OVERFLOW)
    expect_rows(page, len(LINES))
    assert active_name(page) == "member"  # (the error is in the boxes; the cursor goes to the line's start)
    error = page.locator("#sheet label.has-error .error")
    assert error.inner_text() == (f"The container holds {CAPACITY} boxes and {loaded} are loaded: "
                                  f"{CAPACITY - loaded} more fit, not 30.")
    assert page.input_value("input[name=accepted_boxes]") == "30"
    assert f"{loaded} / {CAPACITY} boxes" in page.locator("#sheet .totals").inner_text()
    screenshot(page, "1-over-capacity")

    # Corrected with the keyboard: select the member number kept, retype the line.
    page.keyboard.press("Control+a")
    type_line(page, LAST)
    expect_rows(page, len(LINES) + 1)
    assert active_name(page) == "member"
    loaded, rejected = loaded + LAST[2], rejected + LAST[3]
    assert loaded == CAPACITY
    totals = page.locator("#sheet .totals").inner_text()
    assert f"{CAPACITY} / {CAPACITY} boxes" in totals and "0 free" in totals and f"{rejected} rejected" in totals
    assert page.locator("#sheet progress").get_attribute("value") == "100"
    assert page.locator("#sheet .error").count() == 0
    last_row = rows(page).last.inner_text()
    assert "0108" in last_row and "APOQ-0108-A" in last_row and "Cicatrices" in last_row
    screenshot(page, "2-desktop")

    # The database holds exactly the lines typed, in order.
    typed = [*LINES, LAST]
    deliveries = list(Delivery.objects.filter(shipment=shipment).select_related("member", "plot").order_by("id"))
    assert [(d.member.number, d.plot.code, d.accepted_boxes, d.rejected_boxes, d.rejection_reason_id,
             d.date, d.recorded_by_id) for d in deliveries] == [
        (f"{int(m):04d}", p.upper() or Plot.objects.get(member__cooperative=shipment.cooperative,
                                                        member__number=f"{int(m):04d}").code,
         a, r, reasons[k].pk if k else None, timezone.localdate(), clerk.pk)
        for m, p, a, r, k in typed]
    assert all(d.cooperative_id == shipment.cooperative_id for d in deliveries)
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.LOADING
    context.close()

    # The same sheet on a phone.
    context = browser.new_context(locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, live_server.url, clerk.username, sheet_url)
    expect_rows(page, len(typed))
    assert f"{CAPACITY} / {CAPACITY} boxes" in page.locator("#sheet .totals").inner_text()
    screenshot(page, "3-phone")
    context.close()


def test_the_loading_sheet_does_not_overflow_sideways_on_a_phone(browser, live_server, screenshot, loading):
    shipment, clerk, reasons = loading
    for number, accepted in (("0101", 14), ("0103", 12), ("0106", 16)):
        plot = Plot.objects.get(member__cooperative=shipment.cooperative, member__number=number)
        delivery_add(shipment=shipment, actor=clerk, member=plot.member, plot=plot, date=timezone.localdate(),
                     accepted_boxes=accepted, rejected_boxes=2, rejection_reason=reasons["p"])
    context = browser.new_context(locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    sheet_url = f"/exports/shipments/{shipment.pk}/loading/"
    log_in(page, live_server.url, clerk.username, sheet_url)
    expect_rows(page, 3)
    screenshot(page, "phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= PHONE["width"]


def expect_rows(page, count):
    page.wait_for_function("n => document.querySelectorAll('#sheet table.sheet tbody tr').length === n", arg=count)
    assert rows(page).count() == count
