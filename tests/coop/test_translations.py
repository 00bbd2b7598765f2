import shutil
import subprocess
from pathlib import Path

import pytest

CATALOG = Path(__file__).resolve().parents[2] / "locale" / "es" / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(shutil.which("msgattrib") is None, reason="gettext tools are installed by bin/test")
@pytest.mark.parametrize("selection", ["--untranslated", "--only-fuzzy"])
def test_the_spanish_catalog_is_complete(selection):
    """Every interface string has a reviewed Spanish translation (Spanish is the default)."""
    output = subprocess.run(
        ["msgattrib", selection, "--no-obsolete", str(CATALOG)], capture_output=True, text=True, check=True
    ).stdout
    assert output == ""
