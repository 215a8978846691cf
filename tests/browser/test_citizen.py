"""A citizen in Debian's Chromium (driven by Playwright) against a live server with the demo province.

Filters the activity list, opens an activity, switches to English and finds the subscribe link; a
screenshot of each step is kept in test-artifacts/.
"""
import importlib.util
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from calendar_app.demo.loader import load_demo
from tests.conftest import require_service

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture()
def live_server(app, db):
    """The test app with the demo data, served on a free loopback port from a background thread."""
    load_demo(echo=lambda line: None)
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture()
def browser():
    available = os.access(CHROMIUM, os.X_OK) and importlib.util.find_spec("playwright") is not None
    require_service(available, f"the browser test needs {CHROMIUM} and the playwright package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Debian's Chromium, never a downloaded browser
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield launched
        finally:
            launched.close()


def test_citizen_filters_opens_an_activity_switches_to_english_and_subscribes(browser, live_server):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.set_default_timeout(10_000)

    page.goto(f"{live_server}/events")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.keyboard.press("Tab")  # keyboard users first meet the skip link
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.locator("summary").first.click()  # the extra filters are folded away on a phone
    page.select_option("#f-category", "reading")
    page.fill("#f-q", "doc sach")  # without accents, as people type on a phone
    page.locator(".filter-actions button[type=submit]").click()
    page.wait_for_load_state()
    assert "category=reading" in page.url and "q=doc+sach" in page.url
    results = page.locator(".cards .card-title a")
    assert results.count() > 0
    titles = results.all_inner_texts()
    assert all("đọc sách" in title.lower() for title in titles), titles
    page.screenshot(path=str(ARTIFACTS / "citizen-1-filtered-list.png"), full_page=True)

    title = titles[0]
    results.first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == title
    assert page.locator('script[type="application/ld+json"]').count() == 1

    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == title
    add = page.get_by_role("link", name="Add to my calendar")
    assert add.get_attribute("href").endswith(".ics")
    subscribe = page.locator(".subscribe").get_by_role("link", name="Subscribe in my calendar app")
    assert subscribe.get_attribute("href").startswith("webcal://127.0.0.1:")
    assert page.get_by_role("link", name="How to subscribe in Google, Apple or Outlook").count() == 1
    page.screenshot(path=str(ARTIFACTS / "citizen-2-activity-in-english.png"), full_page=True)

    # the choice sticks on the next page
    page.get_by_role("link", name="Activities").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.close()
