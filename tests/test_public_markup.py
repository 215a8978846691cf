"""Descriptions: a safe Markdown subset in, sanitised HTML out; raw HTML never reaches a page."""
from calendar_app.markup import plain_text, render_markdown


def test_markdown_subset_is_rendered():
    html = render_markdown("# Chương trình\n\n**Đọc sách** và *kể chuyện*\n\n- Một\n- Hai\n\n"
                           "[Thư viện](https://thuvien.example/a?b=1&c=2)")
    assert "<h3>Chương trình</h3>" in html  # below the page's h1 and section h2
    assert "<strong>Đọc sách</strong>" in html and "<em>kể chuyện</em>" in html
    assert "<ul>\n<li>Một</li>\n<li>Hai</li>\n</ul>" in html
    assert '<a href="https://thuvien.example/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">Thư viện</a>' in html


def test_plain_text_keeps_its_line_breaks():
    assert render_markdown("Dòng một\nDòng hai") == "<p>Dòng một<br>\nDòng hai</p>\n"
    assert render_markdown("") == "" and render_markdown(None) == ""


def test_raw_html_is_shown_as_text_never_as_markup():
    html = render_markdown('<script>alert(1)</script>\n\n<b onclick="x()">đậm</b> <iframe src="https://x"></iframe>')
    assert "<script" not in html and "<b" not in html and "<iframe" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b onclick=" in html  # visible text, not an attribute


def test_dangerous_links_and_pictures_are_neutralised():
    html = render_markdown("[a](javascript:alert(1)) [b](data:text/html,x) [c](vbscript:x) "
                           "![ảnh](https://example.org/a.png) <https://example.org/auto>")
    assert "javascript:" not in html.replace("[a](javascript:alert(1))", "")
    assert 'href="data:' not in html and 'href="vbscript:' not in html
    assert "<img" not in html
    assert '<a href="https://example.org/a.png" rel="nofollow noopener noreferrer">ảnh</a>' in html
    assert '<a href="https://example.org/auto" rel="nofollow noopener noreferrer">' in html


def test_plain_text_for_structured_data():
    assert plain_text("**Vui đọc** cùng [thư viện](https://x.example)\n\n- a & b") == "Vui đọc cùng thư viện a & b"
    assert plain_text(None) == ""
