"""An area officer on a phone (390 px) in Debian's Chromium, against a live server with the demo province:
opens the annual reports waiting for approval, reads a submitted year as labelled cards, approves it, and
finds it among the approved (locked) years and in the audit trail, in words. Screenshots go to
test-artifacts/."""
import importlib.util
import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from calendar_app.accounts.models import User
from calendar_app.demo.loader import load_demo
from calendar_app.participation.models import YearReport
from tests.conftest import require_service

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "officer's phone password"


@pytest.fixture()
def demo_server(app, db):
    """The demo province with a known password for its provincial officer, served from a background thread."""
    load_demo(echo=lambda line: None)
    officer = db.session.scalar(select(User).where(User.email == "officer@demo.example"))
    officer.set_password(PASSWORD)
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
def chromium():
    available = os.access(CHROMIUM, os.X_OK) and importlib.util.find_spec("playwright") is not None
    require_service(available, f"the browser test needs {CHROMIUM} and the playwright package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)  # Debian's, never a download
        try:
            yield launched
        finally:
            launched.close()


def test_officer_approves_a_submitted_year_on_a_phone(chromium, demo_server, db):
    ARTIFACTS.mkdir(exist_ok=True)
    submitted = db.session.scalars(select(YearReport).where(YearReport.status == "submitted")
                                   .order_by(YearReport.year.desc(), YearReport.id)).all()
    assert submitted, "the demo holds submitted years"
    year = submitted[0].year
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(10_000)

    page.goto(f"{demo_server}/login")
    page.fill("#email", "officer@demo.example")
    page.fill("#password", PASSWORD)
    page.locator("main form [type=submit]").click()
    page.wait_for_load_state()
    # the staff header is two rows, not four, and nothing is wider than the phone
    assert page.evaluate("document.querySelector('header').getBoundingClientRect().height") < 110
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.locator(".staff-nav").get_by_role("link", name="Báo cáo năm").click()
    page.wait_for_load_state()
    assert "/approval/queue" in page.url
    page.select_option("#year", str(year))
    page.locator(".year-picker button[type=submit]").click()
    page.wait_for_load_state()
    card = page.locator("table.queue tbody tr").first
    name = card.locator("th").inner_text().strip()
    # stacked as a card, each value keeps its label
    area_cell = card.locator("td[data-label]").first
    assert area_cell.get_attribute("data-label") == "Địa bàn"
    assert page.evaluate("getComputedStyle(document.querySelector('table.queue td[data-label]'), '::before')"
                         ".content") == '"Địa bàn"'
    page.screenshot(path=str(ARTIFACTS / "officer-1-queue-phone.png"), full_page=False)
    waiting = page.locator("table.queue tbody tr").count()

    card.get_by_role("button", name="Phê duyệt và khóa số liệu").click()
    page.wait_for_load_state()
    assert name in page.locator(".flash").inner_text()
    assert page.locator("table.queue tbody tr").count() == waiting - 1
    assert page.locator("table.approved tbody th", has_text=name).count() == 1
    page.screenshot(path=str(ARTIFACTS / "officer-2-approved-phone.png"), full_page=False)

    # the audit trail says it in words, in local time
    page.goto(f"{demo_server}/audit/?entity=year_report&action=approve")
    first = page.locator(".audit-entry").first
    assert "đã duyệt" in first.inner_text() and "Báo cáo năm" in first.inner_text()
    assert "Đã phê duyệt (số liệu đã khóa)" in first.inner_text()
    assert "giờ địa phương" in page.locator(".count").inner_text()
    page.screenshot(path=str(ARTIFACTS / "officer-3-audit-phone.png"), full_page=False)
    page.close()


@pytest.fixture()
def small_server(app, db):
    """One library and its editor, served from a background thread (no demo: this walk needs no data)."""
    from tests import factories as f

    district = f.area("227", "Việt Trì")
    library = f.institution("thu-vien", district, name="Thư viện Việt Trì")
    f.user("editor@example.org", "editor", password=PASSWORD, institution=library)
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_the_activity_form_shows_the_box_of_the_chosen_end_and_focuses_its_errors(chromium, small_server):
    ARTIFACTS.mkdir(exist_ok=True)
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(10_000)
    page.goto(f"{small_server}/login?lang=en")
    page.fill("#email", "editor@example.org")
    page.fill("#password", PASSWORD)
    page.locator("main form [type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{small_server}/manage/activities/new")
    page.check("input[name=repeat][value=weekly]")
    page.check("input[name=end][value=count]")
    assert page.locator("#count").is_visible() and not page.locator("#until").is_visible()
    page.check("input[name=end][value=until]")
    assert page.locator("#until").is_visible() and not page.locator("#count").is_visible()
    # a refused form: the summary has the focus, and its link moves focus to the field
    page.locator(".form-actions [name=publish]").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    page.locator(".error-summary a").first.click()
    target = page.locator(".error-summary a").first.get_attribute("href")[1:]
    assert page.evaluate("document.activeElement.id") == target
    page.screenshot(path=str(ARTIFACTS / "editor-1-refused-form-phone.png"), full_page=False)
    page.close()
