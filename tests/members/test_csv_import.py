"""The all-or-nothing CSV import of members, households and plots, its export round trip and its page."""

import datetime
import html
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from pghistory.models import Events

from coop.models import Role
from members import selectors
from members.csv_export import export_rows
from members.csv_import import ImportRejected, RowError, register_import
from members.models import HouseholdMember, Member, MemberStatusChange, Plot
from tests.factories import (
    CooperativeFactory,
    HouseholdMemberFactory,
    MemberFactory,
    PlotFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def csv_bytes(*lines: str, encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    return (newline.join(lines) + newline).encode(encoding)


def import_file(coop, actor, kind, data):
    return register_import(cooperative=coop, actor=actor, kind=kind, data=data, label=f"{kind}.csv")


def rejected(coop, actor, kind, data) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as caught:
        import_file(coop, actor, kind, data)
    assert all(isinstance(e, RowError) for e in caught.value.errors)
    return [(e.line, e.column, e.message) for e in caught.value.errors]


def counts():
    return (
        Member.objects.count(),
        MemberStatusChange.objects.count(),
        HouseholdMember.objects.count(),
        Plot.objects.count(),
    )


MEMBERS_HEADER = "member_number,first_name,last_name,national_id,sex,birth_date,phone,village,join_date,status"
GOOD_MEMBERS = csv_bytes(
    MEMBERS_HEADER,
    "0001,María,Peña Zapata,40123456,F,1975-05-17,969 123 456,Querecotillo,2005-03-01,active",
    "0002,José Luis,Córdova Ruiz,40123457,M,1970-01-31,,Salitral,2005-03-01,",
    '0003,Rosa,"García, Silva",40123458,F,1982-12-01,,Querecotillo,2010-06-15,withdrawn',
)


# --- rejected files -----------------------------------------------------------------------------


def test_a_file_with_bad_rows_is_rejected_whole_with_every_error(coop_pe, accountant):
    MemberFactory(cooperative=coop_pe, number="0900", national_id="41111111")
    before = counts()
    data = csv_bytes(
        MEMBERS_HEADER,
        "0001,María,Peña Zapata,40123456,F,1975-05-17,,Querecotillo,2005-03-01,",  # 2: fine
        "0002,José,Córdova,4012345,M,1970-01-31,,Salitral,2005-03-01,",  # 3: DNI of 7 digits
        "0003,Rosa,,40123458,F,1982-12-01,,Querecotillo,2010-06-15,",  # 4: no last name
        "0004,Juan,Ruiz,40123459,M,31/02/1980,,Querecotillo,2010-06-15,",  # 5: 31 February
        "0001,Carmen,Silva,40123460,F,1985-01-01,,Querecotillo,2010-06-15,",  # 6: number of line 2
        "0006,Ana,Chumacero,41111111,F,1985-01-01,,Querecotillo,2010-06-15,",  # 7: ID of member 0900
        "0007,Luis,Zapata,40123461,X,1985-01-01,,Querecotillo,2010-06-15,",  # 8: sex X
    )
    errors = rejected(coop_pe, accountant, "members", data)
    assert errors == [
        (3, "national_id", "A Peruvian DNI has exactly 8 digits."),
        (4, "last_name", "This value is required."),
        (5, "birth_date", "'31/02/1980' is not a date (use 2024-03-31 or 31/03/2024)."),
        (6, "member_number", "Member number 0001 also on line 2."),
        (7, "national_id", "National ID 41111111 belongs to member 0900."),
        (8, "sex", "'X' is not one of: Female, Male."),
    ]
    assert counts() == before
    assert not Member.objects.filter(number="0001").exists()


def test_a_national_id_twice_in_the_file_is_rejected(coop_pe, accountant):
    data = csv_bytes(
        MEMBERS_HEADER,
        "0001,María,Peña,40123456,F,1975-05-17,,Querecotillo,2005-03-01,",
        "0002,José,Córdova,40123456,M,1970-01-31,,Salitral,2005-03-01,",
    )
    assert rejected(coop_pe, accountant, "members", data) == [
        (3, "national_id", "National ID 40123456 also on line 2."),
    ]
    assert counts() == (0, 0, 0, 0)


def test_a_cedula_in_a_peruvian_coop_and_a_dni_in_an_ecuadorian_one_are_rejected(coop_pe, coop_ec, accountant):
    row = "0001,María,Peña,{},F,1975-05-17,,Querecotillo,2005-03-01,"
    assert rejected(coop_pe, accountant, "members", csv_bytes(MEMBERS_HEADER, row.format("1710034065"))) == [
        (2, "national_id", "A Peruvian DNI has exactly 8 digits."),
    ]
    assert rejected(coop_ec, accountant, "members", csv_bytes(MEMBERS_HEADER, row.format("40123456"))) == [
        (2, "national_id", "An Ecuadorian cédula has exactly 10 digits."),
    ]
    result = import_file(coop_ec, accountant, "members", csv_bytes(MEMBERS_HEADER, row.format("1710034065")))
    assert result.created == 1


def test_model_rules_are_reported_on_their_column(coop_pe, accountant):
    data = csv_bytes(
        MEMBERS_HEADER,
        "0001,María,Peña,40123456,F,2005-03-01,,Querecotillo,2005-03-01,",  # joined the day she was born
        "0002,José,Córdova,40123457,M,1970-01-31,,Salitral,2005-03-01,muerto",
    )
    assert rejected(coop_pe, accountant, "members", data) == [
        (2, "join_date", "The join date must be after the birth date."),
        (3, "status", "'muerto' is not one of: Active, Suspended, Withdrawn, Deceased."),
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", [(1, "", "The file is empty.")]),
        (csv_bytes(MEMBERS_HEADER), [(2, "", "The file has a header but no rows.")]),
        (
            csv_bytes("member_number,first_name,national_id,sex,birth_date,village,join_date,color", "0001"),
            [(1, "color", "Unknown column."), (1, "last_name", "Required column missing.")],
        ),
        (
            csv_bytes(MEMBERS_HEADER + ",numero_socio", "0001"),
            [(1, "numero_socio", "This column appears twice.")],
        ),
        (b"\x81\x8d\x8f\x90\x9d", [(1, "", "The file is neither UTF-8 nor Windows-1252 text.")]),
    ],
)
def test_unreadable_files_are_rejected_at_the_header(coop_pe, accountant, data, expected):
    assert rejected(coop_pe, accountant, "members", data) == expected
    assert counts() == (0, 0, 0, 0)


def test_an_unknown_kind_of_file_is_rejected(coop_pe, accountant):
    assert rejected(coop_pe, accountant, "loans", GOOD_MEMBERS) == [(1, "", "Unknown kind of file: loans.")]


# --- good files, idempotence --------------------------------------------------------------------


def test_a_correct_file_imports_in_one_go(coop_pe, accountant):
    result = import_file(coop_pe, accountant, "members", GOOD_MEMBERS)
    assert (result.lines, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)

    maria = Member.objects.get(cooperative=coop_pe, number="0001")
    assert (maria.first_name, maria.last_name, maria.national_id) == ("María", "Peña Zapata", "40123456")
    assert maria.birth_date == datetime.date(1975, 5, 17)
    assert maria.phone == "969 123 456"
    assert maria.status == "active"
    assert Member.objects.get(number="0003").last_name == "García, Silva"

    joins = MemberStatusChange.objects.filter(reason="Joined the cooperative")
    assert joins.count() == 3
    assert all(step.recorded_by == accountant and step.status == "active" for step in joins)
    assert joins.get(member=maria).effective_on == datetime.date(2005, 3, 1)

    rosa = Member.objects.get(number="0003")
    assert rosa.status == "withdrawn"
    last = rosa.status_changes.first()
    assert (last.status, last.effective_on, last.reason) == ("withdrawn", timezone.localdate(), "Imported from members.csv")


def test_importing_the_same_file_again_changes_nothing(coop_pe, accountant):
    import_file(coop_pe, accountant, "members", GOOD_MEMBERS)
    before = counts()
    updated_at = dict(Member.objects.values_list("number", "updated_at"))

    result = import_file(coop_pe, accountant, "members", GOOD_MEMBERS)
    assert (result.lines, result.created, result.updated, result.unchanged) == (3, 0, 0, 3)
    assert counts() == before
    assert dict(Member.objects.values_list("number", "updated_at")) == updated_at


def test_a_changed_row_updates_the_member_and_a_new_status_adds_a_step(coop_pe, accountant):
    import_file(coop_pe, accountant, "members", GOOD_MEMBERS)
    changed = csv_bytes(
        MEMBERS_HEADER,
        "0001,María,Peña Zapata,40123456,F,1975-05-17,969 123 456,Sojo,2005-03-01,active",
        "0002,José Luis,Córdova Ruiz,40123457,M,1970-01-31,,Salitral,2005-03-01,suspendido",
        '0003,Rosa,"García, Silva",40123458,F,1982-12-01,,Querecotillo,2010-06-15,withdrawn',
        "0004,Carmen,Silva,40123459,F,1990-08-08,,Sojo,2020-01-01,",
    )
    result = import_file(coop_pe, accountant, "members", changed)
    assert (result.created, result.updated, result.unchanged) == (1, 2, 1)  # a new status counts as updated
    assert Member.objects.get(number="0001").village == "Sojo"
    jose = Member.objects.get(number="0002")
    assert jose.status == "suspended"
    assert list(jose.status_changes.values_list("status", flat=True)) == ["suspended", "active"]


def test_a_deceased_members_status_cannot_be_changed_by_import(coop_pe, accountant):
    import_file(coop_pe, accountant, "members", GOOD_MEMBERS.replace(b",active\r\n", b",fallecido\r\n"))
    assert Member.objects.get(number="0001").status == "deceased"
    errors = rejected(coop_pe, accountant, "members", GOOD_MEMBERS)
    assert errors == [(2, "status", "A deceased member's status cannot change.")]
    assert Member.objects.get(number="0001").status == "deceased"


def test_a_file_without_an_optional_column_leaves_that_field_alone(coop_pe, accountant):
    import_file(coop_pe, accountant, "members", GOOD_MEMBERS)
    without_phone = csv_bytes(
        "member_number,first_name,last_name,national_id,sex,birth_date,village,join_date",
        "0001,María,Peña Zapata,40123456,F,1975-05-17,Querecotillo,2005-03-01",
    )
    result = import_file(coop_pe, accountant, "members", without_phone)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert Member.objects.get(number="0001").phone == "969 123 456"


def test_an_empty_optional_cell_does_clear_the_field(coop_pe, accountant):
    import_file(coop_pe, accountant, "members", GOOD_MEMBERS)
    result = import_file(coop_pe, accountant, "members", GOOD_MEMBERS.replace(b",969 123 456,", b",,"))
    assert (result.updated, result.unchanged) == (1, 2)
    assert Member.objects.get(number="0001").phone == ""


def test_line_numbers_count_the_lines_of_a_cell_with_a_line_break(coop_pe, accountant):
    data = csv_bytes(
        MEMBERS_HEADER,
        '0001,María,Peña Zapata,40123456,F,1975-05-17,,"Querecotillo\nsector Sojo",2005-03-01,',
        "0002,José,Córdova,4012345,M,1970-01-31,,Salitral,2005-03-01,",
    )
    assert rejected(coop_pe, accountant, "members", data) == [(4, "national_id", "A Peruvian DNI has exactly 8 digits.")]


SPANISH_MEMBERS = "\r\n".join(
    [
        "Número de Socio;Nombres;Apellidos;DNI;Sexo;Fecha Nacimiento;Caserío;Fecha Ingreso",
        "0001;María;Peña Zapata;40123456;Mujer;17/05/1975;Querecotillo;01/03/2005",
        "0002;José;Córdova Ñique;40123457;masculino;31/01/1970;Santa Sofía;28/02/2006",
        "",
    ]
)


def test_spanish_headers_windows_1252_semicolons_and_day_first_dates(coop_pe, accountant):
    data = SPANISH_MEMBERS.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really Windows-1252, as Excel saves "CSV" in Spanish
    result = import_file(coop_pe, accountant, "members", data)
    assert result.created == 2
    maria = Member.objects.get(number="0001")
    assert (maria.last_name, maria.sex, maria.birth_date) == ("Peña Zapata", "F", datetime.date(1975, 5, 17))
    assert maria.join_date == datetime.date(2005, 3, 1)
    jose = Member.objects.get(number="0002")
    assert (jose.last_name, jose.sex, jose.village) == ("Córdova Ñique", "M", "Santa Sofía")
    assert jose.join_date == datetime.date(2006, 2, 28)


def test_spanish_short_headers_and_utf8_with_excels_bom(coop_pe, accountant):
    data = "\ufeff" + SPANISH_MEMBERS.replace("Número de Socio", "numero_socio").replace("Caserío", "caserio")
    result = import_file(coop_pe, accountant, "members", data.encode("utf-8"))
    assert result.created == 2
    assert Member.objects.get(number="0002").last_name == "Córdova Ñique"


# --- household ----------------------------------------------------------------------------------

HOUSEHOLD_HEADER = "member_number,relationship,first_name,last_name,national_id,sex,birth_date,studying,since,ended_on"


@pytest.fixture
def members(coop_pe, accountant):
    import_file(coop_pe, accountant, "members", GOOD_MEMBERS)
    return {m.number: m for m in Member.objects.filter(cooperative=coop_pe)}


def test_household_file_with_spouse_and_children(coop_pe, accountant, members):
    data = csv_bytes(
        "numero_socio;parentesco;nombres;apellidos;dni;sexo;fecha_nacimiento;estudia;desde",
        "0001;esposo;Juan;Chumacero Ruiz;40999999;hombre;02/01/1974;;01/01/2000",
        "0001;hija;Lucía;Chumacero Peña;;mujer;01/04/2012;no;",
        "0001;hijo;Pedro;Chumacero Peña;;hombre;01/04/2004;sí;",
        "0002;conviviente;Ana;Ruiz;;mujer;05/05/1972;;",
        encoding="cp1252",
    )
    result = import_file(coop_pe, accountant, "household", data)
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    household = {p.first_name: p for p in members["0001"].household.all()}
    assert household["Juan"].relationship == "spouse"
    assert household["Juan"].since == datetime.date(2000, 1, 1)
    assert household["Lucía"].relationship == "child"
    assert household["Pedro"].studying is True
    assert household["Lucía"].studying is False
    assert household["Pedro"].cooperative == coop_pe
    assert members["0002"].household.get().relationship == "partner"

    again = import_file(coop_pe, accountant, "household", data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert HouseholdMember.objects.count() == 4


def test_household_unknown_member_number_is_rejected(coop_pe, accountant, members):
    other = CooperativeFactory()
    MemberFactory(cooperative=other, number="0777")  # in another co-op: still unknown here
    data = csv_bytes(
        HOUSEHOLD_HEADER,
        "0001,child,Lucía,Peña,,F,2012-04-01,,,",
        "9999,child,Pedro,Peña,,M,2013-04-01,,,",
        "0777,child,Ana,Peña,,F,2014-04-01,,,",
    )
    assert rejected(coop_pe, accountant, "household", data) == [
        (3, "member_number", "No member 9999 in this cooperative; import the members file first."),
        (4, "member_number", "No member 0777 in this cooperative; import the members file first."),
    ]
    assert HouseholdMember.objects.count() == 0


def test_household_second_current_spouse_in_the_file_is_rejected(coop_pe, accountant, members):
    data = csv_bytes(
        HOUSEHOLD_HEADER,
        "0001,spouse,Juan,Chumacero,,M,1974-01-02,,2000-01-01,",
        "0001,partner,Carlos,Ruiz,,M,1976-01-02,,2010-01-01,",
    )
    assert rejected(coop_pe, accountant, "household", data) == [
        (
            2, "relationship",
            "Member 0001 would have more than one current spouse or partner (Carlos Ruiz); give one of them an end date.",
        ),
        (
            3, "relationship",
            "Member 0001 would have more than one current spouse or partner (Juan Chumacero); give one of them an end date.",
        ),
    ]
    assert HouseholdMember.objects.count() == 0


def test_household_second_current_spouse_beside_the_registered_one_is_rejected(coop_pe, accountant, members):
    HouseholdMemberFactory(member=members["0001"], relationship="spouse", first_name="Juan", last_name="Chumacero")
    data = csv_bytes(HOUSEHOLD_HEADER, "0001,spouse,Carlos,Ruiz,,M,1976-01-02,,2010-01-01,")
    errors = rejected(coop_pe, accountant, "household", data)
    assert [(line, column) for line, column, _message in errors] == [(2, "relationship")]
    assert "(Juan Chumacero)" in errors[0][2]


def test_household_ending_the_old_spouse_in_the_same_file_allows_a_new_one(coop_pe, accountant, members):
    HouseholdMemberFactory(
        member=members["0001"], relationship="spouse", first_name="Juan", last_name="Chumacero",
        birth_date=datetime.date(1974, 1, 2), since=datetime.date(2000, 1, 1),
    )
    data = csv_bytes(
        HOUSEHOLD_HEADER,
        "0001,spouse,Juan,Chumacero,,M,1974-01-02,,2000-01-01,2015-06-30",
        "0001,spouse,Carlos,Ruiz,,M,1976-01-02,,2017-01-01,",
    )
    result = import_file(coop_pe, accountant, "household", data)
    assert (result.created, result.updated) == (1, 1)
    current = members["0001"].household.get(ended_on__isnull=True)
    assert current.first_name == "Carlos"


def test_household_new_spouse_may_come_before_the_row_ending_the_old_one(coop_pe, accountant, members):
    HouseholdMemberFactory(
        member=members["0001"], relationship="spouse", first_name="Juan", last_name="Chumacero",
        birth_date=datetime.date(1974, 1, 2), since=datetime.date(2000, 1, 1),
    )
    data = csv_bytes(
        HOUSEHOLD_HEADER,
        "0001,spouse,Carlos,Ruiz,,M,1976-01-02,,2017-01-01,",
        "0001,spouse,Juan,Chumacero,,M,1974-01-02,,2000-01-01,2015-06-30",
    )
    result = import_file(coop_pe, accountant, "household", data)
    assert (result.created, result.updated) == (1, 1)
    assert members["0001"].household.get(ended_on__isnull=True).first_name == "Carlos"


def test_household_row_errors_name_their_columns(coop_pe, accountant, members):
    data = csv_bytes(
        HOUSEHOLD_HEADER,
        "0001,abuela,Rosa,Peña,,F,1950-01-01,,,",
        "0001,child,Ana,Peña,123,F,2012-04-01,quizás,,",
        "0001,child,Lucía,Peña,,F,2012-04-01,,,",
        "0001,child,Lucía,Peña,,F,2012-04-01,,,",
    )
    assert rejected(coop_pe, accountant, "household", data) == [
        (2, "relationship", "'abuela' is not one of: Spouse, Partner, Child, Other relative."),
        (3, "studying", "'quizás' is not yes or no (si/no)."),
        (3, "national_id", "A Peruvian DNI has exactly 8 digits."),
        (5, "first_name", "The same person is also on line 4."),
    ]


# --- plots --------------------------------------------------------------------------------------

PLOTS_HEADER = (
    "member_number,plot_code,name,area_ha,latitude,longitude,boundary_geojson,variety,"
    "organic_status,organic_since,certified_area_ha,last_inspection_on"
)


def test_plots_file_with_decimal_commas_and_spanish_words(coop_pe, accountant, members):
    data = csv_bytes(
        "numero_socio;parcela;nombre_parcela;area;latitud;longitud;variedad;estado_organico;organico_desde;area_certificada",
        "0001;P-001;La Huaca;1,5;-4,901234;-80,601234;Gran Enano;orgánico;01/03/2015;1,25",
        "0001;P-002;El Pozo;0,75;;;Valery;en conversión;01/06/2023;",
        "0002;P-003;;2;;;Williams;convencional;;",
        encoding="cp1252",
    )
    result = import_file(coop_pe, accountant, "plots", data)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    huaca = Plot.objects.get(code="P-001")
    assert huaca.member == members["0001"]
    assert (huaca.area_ha, huaca.certified_area_ha) == (Decimal("1.5"), Decimal("1.25"))
    assert (huaca.latitude, huaca.longitude) == (Decimal("-4.901234"), Decimal("-80.601234"))
    assert (huaca.variety, huaca.organic_status, huaca.organic_since) == ("cavendish", "certified", datetime.date(2015, 3, 1))
    pozo = Plot.objects.get(code="P-002")
    assert (pozo.organic_status, pozo.certified_area_ha) == ("in_conversion", Decimal("0"))
    assert Plot.objects.get(code="P-003").organic_status == "conventional"

    again = import_file(coop_pe, accountant, "plots", data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_plots_file_with_only_the_required_columns_keeps_the_organic_data(coop_pe, accountant, members):
    PlotFactory(
        member=members["0001"], code="P-001", area_ha=Decimal("1.5"), variety="cavendish",
        organic_status="certified", organic_since=datetime.date(2015, 3, 1), certified_area_ha=Decimal("1.25"),
        name="La Huaca",
    )
    data = csv_bytes("member_number,plot_code,area_ha,variety", "0001,P-001,1.5,cavendish", "0001,P-002,2,valery")
    result = import_file(coop_pe, accountant, "plots", data)
    assert (result.created, result.updated, result.unchanged) == (1, 0, 1)
    huaca = Plot.objects.get(code="P-001")
    assert (huaca.name, huaca.organic_status, huaca.certified_area_ha) == ("La Huaca", "certified", Decimal("1.25"))
    new = Plot.objects.get(code="P-002")
    assert (new.name, new.organic_status, new.certified_area_ha) == ("", "conventional", Decimal("0"))


def test_plots_certified_area_above_the_area_is_rejected(coop_pe, accountant, members):
    data = csv_bytes(
        PLOTS_HEADER,
        "0001,P-001,La Huaca,1.5,,,,cavendish,certified,2015-03-01,2,",
        "0001,P-002,El Pozo,1,,,,cavendish,in_conversion,,,",
        "0001,P-003,Alto,1.5,-4.9,,,cavendish,,,,",
        "0001,P-004,Bajo,0,,,,cavendish,,,,",
        "0001,P-005,Medio,\"1,5.2\",,,,cavendish,,,,",
    )
    assert rejected(coop_pe, accountant, "plots", data) == [
        (2, "certified_area_ha", "The certified area (2 ha) exceeds the plot's area (1.5 ha)."),
        (3, "organic_since", "Give the date the conversion started or the certification was granted."),
        (4, "longitude", "Give both latitude and longitude, or neither."),
        (5, "area_ha", "Ensure this value is greater than or equal to 0.0001."),
        (6, "area_ha", "'1,5.2' mixes a comma and a point; write 1.5 or 1,5."),
    ]
    assert Plot.objects.count() == 0


def test_plots_code_of_another_members_plot_is_rejected(coop_pe, accountant, members):
    PlotFactory(member=members["0002"], code="P-900")
    data = csv_bytes(
        PLOTS_HEADER,
        "0001,P-001,La Huaca,1.5,,,,cavendish,,,,",
        "0001,P-900,El Pozo,1,,,,cavendish,,,,",
        "0001,P-001,La Huaca,1.5,,,,cavendish,,,,",
    )
    assert rejected(coop_pe, accountant, "plots", data) == [
        (3, "plot_code", "Plot P-900 belongs to member 0002."),
        (4, "plot_code", "Plot P-001 also on line 2."),
    ]
    assert list(Plot.objects.values_list("code", "member__number")) == [("P-900", "0002")]


def test_plots_boundary_is_checked(coop_pe, accountant, members):
    open_ring = '"{""type"":""Polygon"",""coordinates"":[[[-80.6,-4.9],[-80.5,-4.9],[-80.5,-4.8],[-80.6,-4.8]]]}"'
    data = csv_bytes(
        PLOTS_HEADER,
        f"0001,P-001,La Huaca,1.5,,,{open_ring},cavendish,,,,",
        "0001,P-002,El Pozo,1,,,{not json,cavendish,,,,",
    )
    errors = rejected(coop_pe, accountant, "plots", data)
    assert errors[0] == (2, "boundary_geojson", "Polygon, ring 1 is not closed: its first and last positions differ.")
    assert errors[1][:2] == (3, "boundary_geojson")
    assert errors[1][2].startswith("This is not valid JSON (line ")


# --- export -> import round trip ----------------------------------------------------------------


@pytest.fixture
def register(coop_pe):
    """A register with every kind of value the export writes: accents, commas, decimals, JSON."""
    square = {"type": "Polygon", "coordinates": [[[-80.6, -4.9], [-80.59, -4.9], [-80.59, -4.89], [-80.6, -4.9]]]}
    maria = MemberFactory(cooperative=coop_pe, number="0001", first_name="María", last_name="Peña Córdova", phone="969 123 456")
    jose = MemberFactory(cooperative=coop_pe, number="0002", first_name="José", last_name='Ruiz, "el Negro"', sex="M")
    gone = MemberFactory(cooperative=coop_pe, number="0003", first_name="Ñusta", last_name="Quispe", status="withdrawn")
    HouseholdMemberFactory(
        member=maria, relationship="spouse", first_name="Juan", last_name="Chumacero", sex="M",
        birth_date=datetime.date(1970, 1, 1), since=datetime.date(1995, 5, 5), ended_on=datetime.date(2010, 1, 1),
    )
    HouseholdMemberFactory(member=maria, relationship="partner", first_name="Luis", sex="M", national_id="40999999")
    HouseholdMemberFactory(member=maria, relationship="child", first_name="Lucía", studying=True)
    HouseholdMemberFactory(member=jose, relationship="other", first_name="Abuela Rosa", birth_date=datetime.date(1940, 2, 29))
    PlotFactory(
        member=maria, code="P-001", name="La Huaca", area_ha=Decimal("1.2345"), certified_area_ha=Decimal("1.0001"),
        latitude=Decimal("-4.901234"), longitude=Decimal("-80.601234"), boundary=square,
        last_inspection_on=datetime.date(2024, 11, 30),
    )
    PlotFactory(member=maria, code="P-002", name="", organic_status="in_conversion", certified_area_ha=0)
    PlotFactory(
        member=gone, code="P-003", variety="baby", organic_status="conventional", organic_since=None, certified_area_ha=0
    )
    return [maria, jose, gone]


def exported(kind, cooperative) -> bytes:
    return "".join(export_rows(kind, Member.objects.filter(cooperative=cooperative))).encode("utf-8")


@pytest.mark.parametrize(("kind", "rows"), [("members", 3), ("household", 4), ("plots", 3)])
def test_export_then_import_changes_nothing(coop_pe, accountant, register, kind, rows):
    data = exported(kind, coop_pe)
    assert data.startswith("\ufeff".encode())
    before = counts()
    result = import_file(coop_pe, accountant, kind, data)
    assert (result.lines, result.created, result.updated, result.unchanged) == (rows, 0, 0, rows)
    assert counts() == before


def test_export_imported_into_an_empty_coop_exports_the_same(coop_pe, accountant, register):
    twin = CooperativeFactory(country="PE", short_name="TWIN")
    for kind in ("members", "household", "plots"):
        result = import_file(twin, accountant, kind, exported(kind, coop_pe))
        assert result.created == result.lines
    for kind in ("members", "household", "plots"):
        assert exported(kind, twin) == exported(kind, coop_pe)
    assert Member.objects.get(cooperative=twin, number="0002").last_name == 'Ruiz, "el Negro"'
    assert Plot.objects.get(cooperative=twin, code="P-001").boundary == register[0].plots.get(code="P-001").boundary


def test_export_writes_the_layout_the_import_reads(coop_pe, register):
    lines = exported("plots", coop_pe).decode("utf-8-sig").splitlines()
    assert lines[0] == PLOTS_HEADER
    assert lines[1].startswith("0001,P-001,La Huaca,1.2345,-4.901234,-80.601234,")
    assert lines[1].endswith(",cavendish,certified,2010-01-01,1.0001,2024-11-30")
    household = exported("household", coop_pe).decode("utf-8-sig").splitlines()
    assert "0001,child,Lucía,Peña Córdova,,F,2012-04-01,si,," in household


# --- the import page ----------------------------------------------------------------------------


def post_file(client, coop, data, kind="members", name="socios.csv"):
    return client.post(
        "/members/import/",
        {"kind": kind, "cooperative": coop.pk, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_import_page_shows_the_form(client, accountant):
    client.force_login(accountant)
    response = client.get("/members/import/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'name="file"' in response.content.decode()


def test_import_page_lists_the_errors_of_a_bad_file(client, coop_pe, accountant):
    client.force_login(accountant)
    data = csv_bytes(
        MEMBERS_HEADER,
        "0001,María,Peña Zapata,4012345,F,1975-05-17,,Querecotillo,2005-03-01,",
        "0002,José,,40123457,M,1970-01-31,,Salitral,2005-03-01,",
    )
    response = post_file(client, coop_pe, data)
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Nothing was imported: the file has 2 errors." in page
    assert "<td>2</td><td>national_id</td><td>A Peruvian DNI has exactly 8 digits.</td>" in page
    assert "<td>3</td><td>last_name</td><td>This value is required.</td>" in page
    assert Member.objects.count() == 0


def test_import_page_imports_a_good_file_and_redirects(client, coop_pe, accountant):
    client.force_login(accountant)
    response = post_file(client, coop_pe, GOOD_MEMBERS)
    assert response.status_code == 302
    assert response["Location"] == "/members/"
    assert Member.objects.filter(cooperative=coop_pe).count() == 3
    page = client.get("/members/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Import done. New: 3; updated: 0; without changes: 0." in page


def test_import_page_records_the_acting_user_and_file_in_the_history(client, coop_pe, accountant):
    client.force_login(accountant)
    post_file(client, coop_pe, GOOD_MEMBERS)
    maria = Member.objects.get(number="0001")
    assert maria.status_changes.get().recorded_by == accountant
    created = Events.objects.references(maria).get(pgh_model="members.MemberEvent", pgh_label="insert")
    assert created.pgh_context["import_file"] == "socios.csv"
    assert created.pgh_context["user"] == accountant.pk
    assert selectors.member_history(member=maria)[0]["who"] == accountant


def test_import_page_is_forbidden_to_a_board_member(client, coop_pe):
    board = user_with_role(Role.BOARD, coop_pe, username="directivo")
    client.force_login(board)
    assert client.get("/members/import/").status_code == 403
    assert post_file(client, coop_pe, GOOD_MEMBERS).status_code == 403
    assert Member.objects.count() == 0


def test_import_page_refuses_another_coops_register(client, coop_pe, accountant):
    other = CooperativeFactory(country="PE")
    client.force_login(accountant)
    response = post_file(client, other, GOOD_MEMBERS)
    assert response.status_code == 200
    assert Member.objects.count() == 0


def test_import_page_refuses_a_file_over_the_size_limit(client, coop_pe, accountant, settings):
    settings.MEMBER_IMPORT_MAX_BYTES = 100
    assert len(GOOD_MEMBERS) > 100
    client.force_login(accountant)
    response = post_file(client, coop_pe, GOOD_MEMBERS)
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["The file is larger than 0.0001 MB."]}
    assert Member.objects.count() == 0
    # At the limit the file is read.
    settings.MEMBER_IMPORT_MAX_BYTES = len(GOOD_MEMBERS)
    assert post_file(client, coop_pe, GOOD_MEMBERS).status_code == 302


def test_a_boundary_cell_longer_than_the_csv_default_limit_imports(coop_pe, accountant, members):
    ring = [[-80.6 + i * 1e-6, -4.9] for i in range(12_000)] + [[-80.59, -4.89], [-80.6, -4.9]]
    boundary = json.dumps({"type": "Polygon", "coordinates": [ring]})
    assert len(boundary) > 131_072
    data = csv_bytes(PLOTS_HEADER, "0001,P-900,Grande,2,,,\"" + boundary.replace('"', '""') + "\",Williams,,,,")
    assert import_file(coop_pe, accountant, "plots", data).created == 1
    assert len(Plot.objects.get(code="P-900").boundary["coordinates"][0]) == 12_002


def test_unreadable_csv_and_too_deep_json_are_row_errors(coop_pe, accountant, members):
    nul = csv_bytes(PLOTS_HEADER, "0001,P-901,Nul\x00Byte,2,,,,Williams,,,,")
    assert rejected(coop_pe, accountant, "plots", nul) == [(2, "name", "This cell contains a NUL character.")]
    deep = csv_bytes(PLOTS_HEADER, "0001,P-902,Honda,2,,,\"" + "[" * 50_000 + "]" * 50_000 + "\",Williams,,,,")
    assert rejected(coop_pe, accountant, "plots", deep) == [(2, "boundary_geojson", "This JSON is nested too deeply.")]
    assert not Plot.objects.filter(code__in=["P-901", "P-902"]).exists()


def test_a_line_the_csv_module_cannot_read_is_reported_not_a_crash(coop_pe, accountant, members, monkeypatch):
    import csv

    limit = csv.field_size_limit()
    csv.field_size_limit(50)
    try:
        data = csv_bytes(PLOTS_HEADER, "0001,P-903," + "x" * 60 + ",2,,,,Williams,,,,")
        assert rejected(coop_pe, accountant, "plots", data) == [
            (2, "", "This line cannot be read as CSV (field larger than field limit (50)).")
        ]
    finally:
        csv.field_size_limit(limit)


def test_export_defuses_spreadsheet_formulas_and_import_restores_the_text(coop_pe, accountant):
    from members import services
    from members.csv_export import export_rows

    member = MemberFactory(cooperative=coop_pe, number="0900", first_name="=HYPERLINK(\"x\")", phone="+51 968 123 456")
    services.member_update(member=member, actor=accountant, village="@Sojo")
    text = "".join(export_rows("members", Member.objects.filter(pk=member.pk)))
    assert "'=HYPERLINK" in text and "'+51 968 123 456" in text and "'@Sojo" in text
    result = import_file(coop_pe, accountant, "members", text.encode("utf-8"))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    member.refresh_from_db()
    assert (member.first_name, member.phone, member.village) == ('=HYPERLINK("x")', "+51 968 123 456", "@Sojo")


def test_errors_name_the_columns_as_the_file_does(coop_pe, accountant):
    data = csv_bytes(
        "numero_socio;nombres;apellidos;dni;sexo;fecha_nacimiento;caserio;fecha_ingreso",
        "0001;Rosa;Peña;4567890;X;1975-05-17;Sojo;2005-03-01",
    )
    errors = rejected(coop_pe, accountant, "members", data)
    assert sorted((line, column) for line, column, _m in errors) == [(2, "dni"), (2, "sexo")]
