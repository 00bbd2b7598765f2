from django.core.management import call_command


def test_openapi_schema_is_valid_and_complete(tmp_path):
    """drf-spectacular generates the schema without warnings, and it validates."""
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in ("/api/v1/members/", "/api/v1/members/{id}/status/", "/api/v1/plots/{id}/", "/api/v1/household/"):
        assert f"{path}:" in schema
