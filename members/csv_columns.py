"""The CSV layouts of the member register: one file each for members, households and plots.

Headers may be in English (as exported) or in the Spanish the co-ops' spreadsheets use; case,
accents and spaces do not matter. Dates as 2024-03-31 or 31/03/2024; decimals with a point or a
comma; yes/no as si/no, yes/no, 1/0. Choice columns take the code or its Spanish or English label.
"""

import datetime
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _

from .models import BananaVariety, MemberStatus, OrganicStatus, Relationship, Sex


def normalize(text: str) -> str:
    """Lower case, no accents, underscores for spaces: 'Número de Socio' -> 'numero_de_socio'."""
    text = unicodedata.normalize("NFKD", text.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return "_".join(text.replace("-", " ").replace(".", " ").split())


class CellError(ValueError):
    pass


def parse_text(value: str) -> str:
    value = value.strip()
    # The export writes '=... for text a spreadsheet would run as a formula; read it back as =...
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def parse_date(value: str) -> datetime.date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):  # four-digit years only: 05/03/55 is ambiguous
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CellError(_("'%(value)s' is not a date (use 2024-03-31 or 31/03/2024).") % {"value": value})


def parse_decimal(value: str) -> Decimal | None:
    value = value.strip().replace(" ", "")
    if not value:
        return None
    if "," in value and "." in value:
        raise CellError(_("'%(value)s' mixes a comma and a point; write 1.5 or 1,5.") % {"value": value})
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation as error:
        raise CellError(_("'%(value)s' is not a number.") % {"value": value}) from error
    if not number.is_finite():
        raise CellError(_("'%(value)s' is not a number.") % {"value": value})
    return number


YES = {"si", "yes", "y", "s", "1", "true", "verdadero", "x"}
NO = {"no", "n", "0", "false", "falso", ""}


def parse_bool(value: str) -> bool:
    word = normalize(value)
    if word in YES:
        return True
    if word in NO:
        return False
    raise CellError(_("'%(value)s' is not yes or no (si/no).") % {"value": value})


def parse_json(value: str):
    value = value.strip()
    if not value:
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError as error:
        raise CellError(
            _("This is not valid JSON (line %(line)s, column %(column)s).") % {"line": error.lineno, "column": error.colno}
        ) from error
    except RecursionError as error:
        raise CellError(_("This JSON is nested too deeply.")) from error


def choice_parser(choices, extra_aliases: dict[str, str] | None = None) -> Callable[[str], str]:
    """Accept a choice's code, its English or Spanish label, or a listed alias."""
    lookup = {normalize(code): code for code in choices.values}
    for language in ("en", "es"):
        with translation.override(language):
            lookup.update({normalize(str(label)): code for code, label in choices.choices})
    lookup.update({normalize(alias): code for alias, code in (extra_aliases or {}).items()})

    def parse(value: str) -> str:
        if not value.strip():
            return ""
        try:
            return lookup[normalize(value)]
        except KeyError as error:
            raise CellError(
                _("'%(value)s' is not one of: %(allowed)s.")
                % {"value": value, "allowed": ", ".join(str(label) for label in choices.labels)}
            ) from error

    return parse


@dataclass(frozen=True)
class Column:
    name: str  # the header written on export
    field: str  # the model field it fills
    parse: Callable[[str], object] = parse_text
    required: bool = False
    aliases: tuple[str, ...] = field(default=())

    def headers(self) -> set[str]:
        return {normalize(self.name), *(normalize(a) for a in self.aliases)}


MEMBER_NUMBER = Column(
    "member_number", "member_number", required=True,
    aliases=("numero_socio", "numero_de_socio", "nro_socio", "codigo_socio", "socio", "n_socio"),
)

MEMBER_COLUMNS = [
    Column("member_number", "number", required=True, aliases=MEMBER_NUMBER.aliases),
    Column("first_name", "first_name", required=True, aliases=("nombres", "nombre")),
    Column("last_name", "last_name", required=True, aliases=("apellidos", "apellido")),
    Column("national_id", "national_id", required=True, aliases=("dni", "cedula", "documento", "dni_cedula")),
    Column("sex", "sex", choice_parser(Sex, {"mujer": "F", "hombre": "M", "femenino": "F", "masculino": "M"}), required=True, aliases=("sexo",)),
    Column("birth_date", "birth_date", parse_date, required=True, aliases=("fecha_nacimiento", "fecha_de_nacimiento", "nacimiento")),
    Column("phone", "phone", aliases=("telefono", "celular")),
    Column("village", "village", required=True, aliases=("caserio", "sector", "caserio_sector", "village_sector")),
    Column("join_date", "join_date", parse_date, required=True, aliases=("fecha_ingreso", "fecha_de_ingreso", "ingreso")),
    Column("status", "status", choice_parser(MemberStatus, {"activo": "active", "suspendido": "suspended", "retirado": "withdrawn", "fallecido": "deceased"}), aliases=("estado",)),
]

HOUSEHOLD_COLUMNS = [
    MEMBER_NUMBER,
    Column("relationship", "relationship", choice_parser(Relationship, {"conyuge": "spouse", "esposa": "spouse", "esposo": "spouse", "conviviente": "partner", "pareja": "partner", "hijo": "child", "hija": "child", "otro": "other", "otra": "other"}), required=True, aliases=("parentesco", "relacion")),
    Column("first_name", "first_name", required=True, aliases=("nombres", "nombre")),
    Column("last_name", "last_name", required=True, aliases=("apellidos", "apellido")),
    Column("national_id", "national_id", aliases=("dni", "cedula", "documento")),
    Column("sex", "sex", choice_parser(Sex, {"mujer": "F", "hombre": "M", "femenino": "F", "masculino": "M"}), required=True, aliases=("sexo",)),
    Column("birth_date", "birth_date", parse_date, required=True, aliases=("fecha_nacimiento", "fecha_de_nacimiento")),
    Column("studying", "studying", parse_bool, aliases=("estudia", "estudiante")),
    Column("since", "since", parse_date, aliases=("desde",)),
    Column("ended_on", "ended_on", parse_date, aliases=("hasta", "fecha_fin")),
]

PLOT_COLUMNS = [
    MEMBER_NUMBER,
    Column("plot_code", "code", required=True, aliases=("codigo_parcela", "parcela", "codigo")),
    Column("name", "name", aliases=("nombre_parcela", "nombre")),
    Column("area_ha", "area_ha", parse_decimal, required=True, aliases=("area", "hectareas", "area_hectareas")),
    Column("latitude", "latitude", parse_decimal, aliases=("latitud", "lat")),
    Column("longitude", "longitude", parse_decimal, aliases=("longitud", "lon", "lng")),
    Column("boundary_geojson", "boundary", parse_json, aliases=("poligono", "geojson", "boundary")),
    Column("variety", "variety", choice_parser(BananaVariety, {"gran_enano": "cavendish", "orito": "baby", "isla": "red"}), required=True, aliases=("variedad",)),
    Column("organic_status", "organic_status", choice_parser(OrganicStatus, {"convencional": "conventional", "en_conversion": "in_conversion", "en_transicion": "in_conversion", "transicion": "in_conversion", "organico": "certified", "certificado": "certified"}), aliases=("estado_organico", "organico")),
    Column("organic_since", "organic_since", parse_date, aliases=("organico_desde", "fecha_organico")),
    Column("certified_area_ha", "certified_area_ha", parse_decimal, aliases=("area_certificada", "area_certificada_ha")),
    Column("last_inspection_on", "last_inspection_on", parse_date, aliases=("ultima_inspeccion", "fecha_inspeccion", "inspeccion_interna")),
]

LAYOUTS = {"members": MEMBER_COLUMNS, "household": HOUSEHOLD_COLUMNS, "plots": PLOT_COLUMNS}
