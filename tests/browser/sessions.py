"""Logging a person in, in a browser context of their own (a language, a screen)."""

from tests.browser.test_loading_sheet import log_in

DESKTOP = {"width": 1280, "height": 900}


def session(browser, live_server, username, next_url, viewport=DESKTOP, locale="es-PE", **options):
    """A new browser context and page, logged in as ``username`` and on ``next_url``."""
    context = browser.new_context(locale=locale, viewport=viewport, **options)
    page = context.new_page()
    log_in(page, live_server.url, username, next_url)
    return context, page
