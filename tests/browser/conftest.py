import pytest
from django.conf import settings

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=settings.CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def screenshot(request):
    """Saves a full-page screenshot under artifacts/ named after the test and step."""
    directory = settings.TEST_ARTIFACTS_DIR
    directory.mkdir(parents=True, exist_ok=True)

    def take(page, step: str):
        page.screenshot(path=str(directory / f"{request.node.name}-{step}.png"), full_page=True)

    return take
