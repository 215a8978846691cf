"""Activity descriptions: plain text or a safe Markdown subset, rendered to sanitised HTML.

Raw HTML typed into a description is shown as text (markdown-it's html option is off) and nh3 then
removes anything outside the allow-list, so no tag, attribute or URL scheme we did not choose reaches a page.
"""
import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre", "h3", "h4", "h5", "h6", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
#: description headings sit below the page's h1 and the section's h2
HEADING_SHIFT = 2


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    parser.add_render_rule("image", _image_as_link)
    return parser


def _image_as_link(self, tokens, idx, options, env) -> str:
    """Pictures from elsewhere are not embedded (CSP and privacy): they become a link to the picture."""
    token = tokens[idx]
    label = self.renderInline(token.children or [], options, env) or html.escape(token.attrGet("src") or "")
    return f'<a href="{html.escape(token.attrGet("src") or "")}">{label}</a>'


def render_markdown(text: str | None) -> Markup:
    """Markdown subset -> sanitised HTML, safe to insert into a page."""
    if not text:
        return Markup("")
    parser = _parser()
    tokens = parser.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + HEADING_SHIFT, 6)}"
    rendered = parser.renderer.render(tokens, parser.options, {})
    clean = nh3.clean(rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                      link_rel="nofollow noopener noreferrer")
    return Markup(clean)


def plain_text(text: str | None) -> str:
    """The description without markup (for summaries and structured data)."""
    if not text:
        return ""
    return " ".join(html.unescape(nh3.clean(str(render_markdown(text)), tags=set())).split())
