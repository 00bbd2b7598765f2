"""Shared pieces of the REST API: one error format, scoped lookups."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, serializers
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """A service's Django ValidationError becomes a 400 in DRF's {field: [messages]} format."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)


def idempotency_key(request, required: bool = False) -> str | None:
    """The request's Idempotency-Key header (None when absent); a malformed one, or a missing one
    where ``required``, is a 400."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if key and (len(key) > 80 or not key.isascii() or not key.isprintable()):
        raise exceptions.ValidationError({"Idempotency-Key": [_("At most 80 printable ASCII characters.")]})
    if required and not key:
        raise exceptions.ValidationError({"Idempotency-Key": [
            _("Send an Idempotency-Key header, so that a retry never moves the money twice.")]})
    return key or None


class ErrorSerializer(serializers.Serializer):
    """Documents the 400 body: field names mapped to lists of messages."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class JSONParser(parsers.JSONParser):
    """DRF's parser, but JSON nested deeper than Python can parse is a 400, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError("JSON parse error - nested too deeply") from error



def document_not_found(result, generator, request, public):
    """drf-spectacular hook: every operation may answer 404 (an object outside one's scope, a
    page past the last); operations that document no 404 get the {"detail": "..."} body."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("NotFound", {"type": "object", "properties": {"detail": {"type": "string"}},
                                    "required": ["detail"]})
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                operation.setdefault("responses", {}).setdefault("404", {
                    "description": "Not found",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NotFound"}}},
                })
    return result
