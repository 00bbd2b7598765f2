import pytest


@pytest.fixture(autouse=True)
def report_media(settings, tmp_path):
    """Reports are stored in a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
