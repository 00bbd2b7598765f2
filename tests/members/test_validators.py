"""National identity numbers (Peru's DNI, Ecuador's cédula) and GeoJSON plot boundaries."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from members.validators import (
    validate_ecuador_cedula,
    validate_geojson_polygon,
    validate_national_id,
    validate_peru_dni,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def cedula_check_digit(first_nine: str) -> int:
    """Computed independently of the code under test: coefficients 2,1,2,1,... ; products > 9 minus 9."""
    total = 0
    for digit, coefficient in zip(first_nine, [2, 1, 2, 1, 2, 1, 2, 1, 2], strict=True):
        product = int(digit) * coefficient
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def rejected(validator, value) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return caught.value


# --- Peru: DNI ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["40123456", "00000001", "99999999", "07654321"])
def test_dni_with_eight_digits_is_valid(value):
    assert validate_peru_dni(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "4012345",  # 7 digits
        "401234567",  # 9 digits
        "4012345A",  # a letter
        "A0123456",
        "4012-345",
        " 4012345",  # a space counts as a character, not a digit
        "",
        "４０１２３４５６",  # full-width digits: 8 characters that str.isdigit() accepts
        "٤٠١٢٣٤٥٦",  # Arabic-Indic digits
    ],
)
def test_dni_not_eight_ascii_digits_is_refused(value):
    error = rejected(validate_peru_dni, value)
    assert error.code == "dni_format"
    assert error.messages == ["A Peruvian DNI has exactly 8 digits."]


def test_dni_of_zeros_is_refused():
    error = rejected(validate_peru_dni, "00000000")
    assert error.code == "dni"
    assert error.messages == ["00000000 is not a valid DNI."]


# --- Ecuador: cédula ----------------------------------------------------------------------------

VALID_CEDULAS = [
    "1710034065",  # Pichincha
    "0926687856",  # Guayas
    "1713175071",
    "0912345675",
    "1104680135",  # Loja
    "0102030400",  # Azuay; 0102030405 has a wrong check digit (see below)
    "2400000002",  # Santa Elena, the highest province code
    "3000000004",  # 30: Ecuadorians registered abroad
    "1750000000",  # third digit 5, the highest allowed; check digit 0
]


@pytest.mark.parametrize("value", VALID_CEDULAS)
def test_our_valid_cedulas_really_have_the_right_check_digit(value):
    # Guards the list above against typos: checked with an independent computation.
    assert cedula_check_digit(value[:9]) == int(value[9])
    assert int(value[:2]) in range(1, 25) or value[:2] == "30"
    assert int(value[2]) < 6


@pytest.mark.parametrize("value", VALID_CEDULAS)
def test_valid_cedula_is_accepted(value):
    assert validate_ecuador_cedula(value) is None


def test_check_digit_worked_by_hand():
    # 1 7 1 0 0 3 4 0 6 times 2 1 2 1 2 1 2 1 2 -> 2 7 2 0 0 3 8 0 12->3 ; sum 25 ; (10 - 5) % 10 = 5
    assert cedula_check_digit("171003406") == 5
    # 0 1 0 2 0 3 0 4 0 -> sum 10 -> check digit 0, so 0102030405 is not a cédula
    assert cedula_check_digit("010203040") == 0


@pytest.mark.parametrize(
    ("value", "wrong_digit"),
    [("1710034066", "6"), ("1710034060", "0"), ("0926687855", "5"), ("0102030405", "5")],
)
def test_cedula_with_wrong_check_digit_is_refused(value, wrong_digit):
    assert cedula_check_digit(value[:9]) != int(wrong_digit)
    error = rejected(validate_ecuador_cedula, value)
    assert error.code == "cedula_check_digit"
    assert error.messages == [f"The check digit of cédula {value} is wrong."]


def test_every_wrong_check_digit_is_refused_and_only_the_right_one_passes():
    body = "171003406"
    passed = []
    for digit in "0123456789":
        try:
            validate_ecuador_cedula(body + digit)
        except ValidationError:
            continue
        passed.append(digit)
    assert passed == ["5"]


def _with_check_digit(first_nine: str) -> str:
    return first_nine + str(cedula_check_digit(first_nine))


@pytest.mark.parametrize("province", ["25", "26", "29", "31", "99", "00"])
def test_cedula_with_unknown_province_is_refused(province):
    # The check digit is right, so only the province code can be what is refused.
    value = _with_check_digit(province + "1003406")
    error = rejected(validate_ecuador_cedula, value)
    assert error.code == "cedula_province"
    assert error.messages == [f"{province} is not an Ecuadorian province code (01-24 or 30)."]


@pytest.mark.parametrize("third", ["6", "7", "8", "9"])
def test_cedula_with_third_digit_six_or_more_is_refused(third):
    # Third digit 6 is a public body's RUC, 9 a company's: not a person's cédula.
    value = _with_check_digit("17" + third + "003406")
    error = rejected(validate_ecuador_cedula, value)
    assert error.code == "cedula_third_digit"
    assert error.messages == ["The third digit of a person's cédula is below 6."]


@pytest.mark.parametrize(
    "value",
    [
        "171003406",  # 9 digits
        "17100340655",  # 11 digits
        "171003406A",
        "17100340-5",
        "1710034065 ",
        "",
        "１７１００３４０６５",  # full-width digits
    ],
)
def test_cedula_not_ten_ascii_digits_is_refused(value):
    error = rejected(validate_ecuador_cedula, value)
    assert error.code == "cedula_format"
    assert error.messages == ["An Ecuadorian cédula has exactly 10 digits."]


def test_national_id_follows_the_country():
    validate_national_id("PE", "40123456")
    validate_national_id("EC", "1710034065")
    assert rejected(lambda v: validate_national_id("EC", v), "40123456").code == "cedula_format"
    assert rejected(lambda v: validate_national_id("PE", v), "1710034065").code == "dni_format"


# --- GeoJSON plot boundaries --------------------------------------------------------------------

SQUARE = [[-80.60, -4.90], [-80.59, -4.90], [-80.59, -4.89], [-80.60, -4.89], [-80.60, -4.90]]
HOLE = [[-80.597, -4.897], [-80.593, -4.897], [-80.593, -4.893], [-80.597, -4.897]]


def polygon(*rings):
    return {"type": "Polygon", "coordinates": [list(r) for r in rings]}


@pytest.mark.parametrize(
    "value",
    [
        polygon(SQUARE),
        polygon(SQUARE, HOLE),
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},  # the minimal triangle
        {"type": "Polygon", "coordinates": [[[-80.6, -4.9, 12.5], [-80.5, -4.9, 13], [-80.5, -4.8, 14], [-80.6, -4.9, 12.5]]]},
        {"type": "Polygon", "coordinates": [[[-180, -90], [180, -90], [180, 90], [-180, -90]]]},  # the limits
        {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE, HOLE]]},
    ],
)
def test_valid_polygons(value):
    assert validate_geojson_polygon(value) is None


def boundary_error(value) -> list[str]:
    return rejected(validate_geojson_polygon, value).messages


def test_open_ring_is_refused():
    ring = [[-80.60, -4.90], [-80.59, -4.90], [-80.59, -4.89], [-80.60, -4.89]]
    assert boundary_error(polygon(ring)) == ["Polygon, ring 1 is not closed: its first and last positions differ."]


def test_open_inner_ring_is_named():
    open_hole = HOLE[:-1] + [[-80.596, -4.896]]
    assert boundary_error(polygon(SQUARE, open_hole)) == [
        "Polygon, ring 2 is not closed: its first and last positions differ."
    ]


@pytest.mark.parametrize("ring", [[], [[0, 0]], [[0, 0], [0, 0]], [[0, 0], [1, 0], [0, 0]]])
def test_ring_with_fewer_than_four_positions_is_refused(ring):
    assert boundary_error(polygon(ring)) == ["Polygon, ring 1 needs at least 4 positions."]


def test_ring_without_area_is_refused():
    ring = [[0, 0], [1, 1], [0, 0], [1, 1], [0, 0]]
    assert boundary_error(polygon(ring)) == ["Polygon, ring 1 has no area."]


@pytest.mark.parametrize(
    ("position", "number"),
    [([-181, -4.9], 1), ([180.0001, -4.9], 1), ([-80.6, -91], 1), ([-80.6, 90.5], 1)],
)
def test_coordinates_out_of_range_are_refused(position, number):
    ring = [position, [-80.59, -4.90], [-80.59, -4.89], position]
    assert boundary_error(polygon(ring)) == [
        f"Polygon, ring 1, position {number} lies outside longitude -180..180 / latitude -90..90."
    ]


def test_the_position_out_of_range_is_named():
    # Only the third position is wrong; the error names it.
    ring = [[-80.6, -4.9], [-80.5, -4.9], [-80.5, 95], [-80.6, -4.9]]
    assert boundary_error(polygon(ring)) == [
        "Polygon, ring 1, position 3 lies outside longitude -180..180 / latitude -90..90."
    ]


@pytest.mark.parametrize(
    "position",
    [[-80.6], [-80.6, -4.9, 1, 2], ["-80.6", "-4.9"], [True, False], [None, None], {"lon": 1, "lat": 2}, (1, 2)],
)
def test_position_that_is_not_a_coordinate_pair_is_refused(position):
    ring = [[0, 0], position, [1, 1], [0, 0]]
    assert boundary_error(polygon(ring)) == ["Polygon, ring 1, position 2 is not a [longitude, latitude] pair."]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"type": "Point", "coordinates": [-80.6, -4.9]}, "The boundary must be a GeoJSON Polygon or MultiPolygon, not Point."),
        ({"type": "LineString", "coordinates": SQUARE}, "The boundary must be a GeoJSON Polygon or MultiPolygon, not LineString."),
        ({"coordinates": [SQUARE]}, "The boundary must be a GeoJSON Polygon or MultiPolygon, not nothing."),
        ({"type": "polygon", "coordinates": [SQUARE]}, "The boundary must be a GeoJSON Polygon or MultiPolygon, not polygon."),
        ({"type": "Polygon"}, "Polygon has no rings."),
        ({"type": "Polygon", "coordinates": []}, "Polygon has no rings."),
        ({"type": "Polygon", "coordinates": SQUARE[0]}, "Polygon, ring 1 needs at least 4 positions."),
        ({"type": "MultiPolygon", "coordinates": []}, "The MultiPolygon has no polygons."),
        ({"type": "MultiPolygon", "coordinates": [SQUARE]}, "Polygon 1, ring 1 needs at least 4 positions."),
        ({"type": "MultiPolygon", "coordinates": [[SQUARE], []]}, "Polygon 2 has no rings."),
    ],
)
def test_wrong_type_or_shape_is_refused(value, message):
    assert boundary_error(value) == [message]


@pytest.mark.parametrize(
    "value",
    [None, "Polygon", '{"type": "Polygon", "coordinates": []}', [SQUARE], 42, polygon(SQUARE)["coordinates"]],
)
def test_not_a_dict_is_refused(value):
    assert boundary_error(value) == ["The boundary must be a GeoJSON geometry object."]


def test_a_feature_is_not_a_geometry():
    feature = {"type": "Feature", "geometry": polygon(SQUARE), "properties": {}}
    assert boundary_error(feature) == ["The boundary must be a GeoJSON Polygon or MultiPolygon, not Feature."]
