import pytest


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Claims' documents go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
