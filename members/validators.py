"""National identity numbers and plot boundaries."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ECUADOR_PROVINCE_CODES = set(range(1, 25)) | {30}  # 01-24, and 30 for Ecuadorians abroad


def validate_peru_dni(value: str) -> None:
    """Peru's DNI: exactly 8 digits."""
    if not (len(value) == 8 and value.isascii() and value.isdigit()):
        raise ValidationError(_("A Peruvian DNI has exactly 8 digits."), code="dni_format")
    if value == "00000000":
        raise ValidationError(_("%(value)s is not a valid DNI.") % {"value": value}, code="dni")


def validate_ecuador_cedula(value: str) -> None:
    """Ecuador's cédula: 10 digits, a province code, third digit below 6, modulo-10 check digit."""
    if not (len(value) == 10 and value.isascii() and value.isdigit()):
        raise ValidationError(
            _("An Ecuadorian cédula has exactly 10 digits."), code="cedula_format"
        )
    if int(value[:2]) not in ECUADOR_PROVINCE_CODES:
        raise ValidationError(
            _("%(code)s is not an Ecuadorian province code (01-24 or 30).") % {"code": value[:2]},
            code="cedula_province",
        )
    if int(value[2]) >= 6:
        raise ValidationError(
            _("The third digit of a person's cédula is below 6."), code="cedula_third_digit"
        )
    total = 0
    for position, digit in enumerate(value[:9]):
        product = int(digit) * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    if (10 - total % 10) % 10 != int(value[9]):
        raise ValidationError(
            _("The check digit of cédula %(value)s is wrong.") % {"value": value},
            code="cedula_check_digit",
        )


NATIONAL_ID_VALIDATORS = {"PE": validate_peru_dni, "EC": validate_ecuador_cedula}


def validate_national_id(country: str, value: str) -> None:
    NATIONAL_ID_VALIDATORS[country](value)


def _validate_position(position, where: str) -> None:
    if not (
        isinstance(position, list)
        and len(position) in (2, 3)
        and all(isinstance(c, (int, float, Decimal)) and not isinstance(c, bool) for c in position)
    ):
        raise ValidationError(_("%(where)s is not a [longitude, latitude] pair.") % {"where": where})
    lon, lat = position[0], position[1]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError(
            _("%(where)s lies outside longitude -180..180 / latitude -90..90.") % {"where": where}
        )


def _validate_ring(ring, where: str) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(_("%(where)s needs at least 4 positions.") % {"where": where})
    for index, position in enumerate(ring):
        _validate_position(position, _("%(where)s, position %(n)s") % {"where": where, "n": index + 1})
    if ring[0] != ring[-1]:
        raise ValidationError(
            _("%(where)s is not closed: its first and last positions differ.") % {"where": where}
        )
    if len({tuple(p[:2]) for p in ring}) < 3:
        raise ValidationError(_("%(where)s has no area.") % {"where": where})


def _validate_polygon_rings(rings, where: str) -> None:
    if not isinstance(rings, list) or not rings:
        raise ValidationError(_("%(where)s has no rings.") % {"where": where})
    for index, ring in enumerate(rings):
        _validate_ring(ring, _("%(where)s, ring %(n)s") % {"where": where, "n": index + 1})


def validate_geojson_polygon(value) -> None:
    """A GeoJSON Polygon or MultiPolygon geometry (RFC 7946), as a parsed dict."""
    if not isinstance(value, dict):
        raise ValidationError(_("The boundary must be a GeoJSON geometry object."))
    kind = value.get("type")
    coordinates = value.get("coordinates")
    if kind == "Polygon":
        _validate_polygon_rings(coordinates, _("Polygon"))
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise ValidationError(_("The MultiPolygon has no polygons."))
        for index, polygon in enumerate(coordinates):
            _validate_polygon_rings(polygon, _("Polygon %(n)s") % {"n": index + 1})
    else:
        raise ValidationError(
            _("The boundary must be a GeoJSON Polygon or MultiPolygon, not %(kind)s.")
            % {"kind": kind or _("nothing")}
        )
