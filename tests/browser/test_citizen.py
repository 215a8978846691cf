"""A citizen in Debian's Chromium (driven by Playwright) against a live server with the demo province.

Filters the activity list, opens an activity, switches to English and finds the subscribe link; registers and
gets the confirmation; uses the week view with a filter; sees the embed inside another site's page (another
origin). A screenshot of each step is kept in test-artifacts/.
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
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                            "--disable-component-update", "--no-first-run", "--disable-sync"])
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


# --- issue 12: registration with its confirmation, the week view, the embed on another site --------------


def _open_registration(db):
    """A published activity taking registrations with a coming date that has places left."""
    from sqlalchemy import select

    from calendar_app.clock import utcnow
    from calendar_app.events.models import Activity, Occurrence

    return db.session.scalar(
        select(Activity).join(Occurrence).where(Activity.registration_required.is_(True),
                                                Activity.status == "published", Occurrence.starts_at > utcnow(),
                                                Occurrence.status == "scheduled")
        .order_by(Occurrence.starts_at).limit(1))


def test_citizen_registers_and_gets_a_confirmation(browser, live_server, db):
    from sqlalchemy import select

    from calendar_app.models import RegistrantMail

    ARTIFACTS.mkdir(exist_ok=True)
    activity = _open_registration(db)
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.set_default_timeout(10_000)
    page.goto(f"{live_server}/events/{activity.id}")
    register = page.locator("a.button", has_text="Đăng ký")
    box = register.bounding_box()
    assert box["width"] < 200  # a button, not a bar across the page
    assert "còn" in page.locator(".places").first.inner_text()  # places left
    register.click()
    page.wait_for_load_state()
    page.locator("form.registration-form button[type=submit]").click()  # nothing filled in
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.className") == "error-summary"  # the summary takes focus
    assert page.locator(".error-summary a").count() >= 2
    page.screenshot(path=str(ARTIFACTS / "citizen-3-registration-errors.png"), full_page=True)
    page.fill("#name", "Nguyễn Thị Lan")
    page.fill("#email", "lan@example.org")
    page.check("#consent")
    page.locator("form.registration-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() in ("Bạn đã đăng ký tham gia", "Bạn đang ở danh sách chờ")
    calendar = page.locator(".add-to-calendar a")
    assert calendar.get_attribute("href").startswith("/registrations/") and calendar.get_attribute(
        "href").endswith(".ics")
    page.screenshot(path=str(ARTIFACTS / "citizen-4-registered.png"), full_page=True)
    db.session.expire_all()
    assert db.session.scalar(select(RegistrantMail.kind)) == "confirmation"  # for the scheduler to send
    page.close()


def test_citizen_uses_the_week_view_with_filters(browser, live_server):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.set_default_timeout(10_000)
    page.goto(f"{live_server}/calendar?lang=en")
    page.get_by_role("navigation", name="Calendar views").get_by_role("link", name="Week").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Week: Monday")
    assert page.locator(".week-day").count() == 7
    page.locator("summary").first.click()
    page.select_option("#f-category", "club")
    page.locator(".filter-actions button[type=submit]").click()
    page.wait_for_load_state()
    assert "/calendar/week/" in page.url and "category=club" in page.url
    assert page.locator(".view-tabs a", has_text="Day").get_attribute("href").endswith("category=club")
    page.screenshot(path=str(ARTIFACTS / "citizen-5-week.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator(".filters").is_hidden()  # the printed week is the week alone
    page.close()


@pytest.fixture()
def other_site(live_server, db):
    """An institution's own web page on another origin (another port), framing our embed."""
    import http.server
    import socketserver
    import tempfile

    from sqlalchemy import select

    from calendar_app.places.models import Institution

    slug = db.session.scalar(select(Institution.slug).where(Institution.slug == "thu-vien-tinh-phu-tho")) or \
        db.session.scalar(select(Institution.slug).order_by(Institution.id).limit(1))
    folder = tempfile.mkdtemp(prefix="other-site-")
    Path(folder, "index.html").write_text(
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>Thư viện</title></head><body>"
        "<h1>Trang của thư viện</h1>"
        f"<iframe src='{live_server}/embed/institutions/{slug}' title='Lịch hoạt động' width='100%' height='480'"
        " style='border:0'></iframe></body></html>", encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=folder, **kwargs)

        def log_message(self, *args):
            pass

    server = socketserver.TCPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html", slug
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_embed_shows_inside_another_sites_page(browser, other_site):
    ARTIFACTS.mkdir(exist_ok=True)
    url, slug = other_site
    page = browser.new_page(viewport={"width": 1366, "height": 800})
    page.set_default_timeout(10_000)
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "frame" in message.text.lower() else None)
    page.goto(url)
    frame = page.frame_locator("iframe")
    frame.locator("h1").wait_for()
    assert frame.locator(".embed-list li, .empty").count() >= 1
    assert frame.locator("a").first.get_attribute("href").startswith("http://127.0.0.1:")
    assert not refused, refused
    page.screenshot(path=str(ARTIFACTS / "citizen-6-embed-on-another-site.png"), full_page=True)
    page.close()
