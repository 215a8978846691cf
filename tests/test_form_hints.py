"""Forms people can use with a screen reader and on a phone (issue 13 item 6): every hint is tied to its field
with aria-describedby, the error summary takes focus and links to the fields, and the repeat's end shows
only the box of the chosen end (recurrence.js; the markup says which box belongs to which choice)."""
import re
from pathlib import Path

from tests.test_editor_pages import club, login, world  # noqa: F401 - the editor pages' fixtures


def described_by(page: str) -> dict[str, set[str]]:
    """id of each element with aria-describedby -> the ids it names."""
    found = {}
    for tag in re.findall(r"<(?:input|textarea|select|fieldset)\b[^>]*>", page):
        ident = re.search(r'\bid="([^"]+)"', tag)
        names = re.search(r'aria-describedby="([^"]+)"', tag)
        if ident and names:
            found[ident.group(1)] = set(names.group(1).split())
    return found


def test_every_hint_of_the_activity_form_is_tied_to_its_field(client, world):  # noqa: F811
    login(client, "editor@example.org")
    page = client.get("/manage/activities/new").text
    hints = set(re.findall(r'<p class="hint" id="([^"]+)"', page))
    assert len(hints) >= 8
    tied = set().union(*described_by(page).values())
    assert hints <= tied, hints - tied


def test_the_error_summary_takes_focus_and_links_to_each_field(client, world):  # noqa: F811
    login(client, "editor@example.org")
    response = client.post("/manage/activities/new", data=club(title="", count="", starts_on="2030-02-30"))
    page = response.text
    assert response.status_code == 422
    summary = page[page.index('class="error-summary"'):page.index("</div>", page.index('class="error-summary"'))]
    assert "data-error-summary" in summary and 'tabindex="-1"' in summary
    assert "/static/js/forms.js" in page  # focuses the summary and moves focus to a field from its link
    targets = re.findall(r'<a href="#([^"]+)"', summary)
    assert targets and all(f'id="{target}"' in page for target in targets)
    for target in targets:
        fields = described_by(page)
        if target in fields:
            assert f"{target}-error" in fields[target]
    assert 'aria-invalid="true"' in page


def test_the_last_date_and_the_number_of_times_belong_to_their_choice(client, world):  # noqa: F811
    login(client, "editor@example.org")
    page = client.get("/manage/activities/new").text
    assert re.search(r'<div class="end-option" data-end="until">\s*<div class="field[^"]*" id="until-field">', page)
    assert re.search(r'<div class="end-option" data-end="count">\s*<div class="field[^"]*" id="count-field">', page)
    assert 'value="until"' in page and 'value="count"' in page  # the radio values recurrence.js matches
    script = (Path(__file__).resolve().parents[1] / "calendar_app/static/js/recurrence.js").read_text()
    assert "data-end" in script and 'name === "end"' in script
