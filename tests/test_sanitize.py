"""Tests for app.sanitize, the only place where member text becomes HTML."""

from __future__ import annotations

import html
import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from flask import Flask, render_template_string
from markupsafe import Markup

from app.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    register,
    render_inline,
    render_markdown,
    to_plain_text,
)

# --------------------------------------------------------------------------- helpers


class _Collector(HTMLParser):
    """Records every tag and attribute a browser would see in the output."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.oddities: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_comment(self, data):
        self.oddities.append(f"comment:{data}")

    def handle_decl(self, decl):
        self.oddities.append(f"decl:{decl}")

    def unknown_decl(self, data):
        self.oddities.append(f"unknown_decl:{data}")

    def handle_pi(self, data):
        self.oddities.append(f"pi:{data}")


def parse(output: str) -> _Collector:
    collector = _Collector()
    collector.feed(str(output))
    collector.close()
    return collector


def links(output: str) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in parse(output).tags if tag == "a"]


def _href_scheme(href: str) -> str | None:
    """Scheme as a browser would see it, after undoing every encoding trick."""
    value = href
    for _ in range(3):
        value = unquote(html.unescape(value))
    value = re.sub(r"[\x00-\x20\x7f-\xa0\s`]+", "", value).lower()
    match = re.match(r"^([a-z][a-z0-9+.\-]*):", value)
    return match.group(1) if match else None


def assert_inert(output: str) -> None:
    lowered = str(output).lower()
    assert "<script" not in lowered
    # Walk attribute by attribute so an "onx=" inside a quoted title doesn't count.
    assert not re.search(r'<[a-z][a-z0-9]*(?:\s+[^\s=>]+(?:="[^"]*")?)*\s+on[a-z]+\s*=', lowered), (
        output
    )
    collector = parse(output)
    assert collector.oddities == [], output
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, f"disallowed tag <{tag}> in {output!r}"
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset())
        for name, value in attrs.items():
            assert name in allowed, f"disallowed attribute {name}= on <{tag}> in {output!r}"
            assert not name.startswith("on")
            if name == "href":
                assert value, output
                scheme = _href_scheme(value)
                assert scheme is None or scheme in ALLOWED_PROTOCOLS, output
                assert scheme not in {"javascript", "data", "vbscript"}, output
        if tag == "a":
            assert attrs.get("rel") == "nofollow noopener", output


# --------------------------------------------------------------------------- XSS corpus

XSS_PAYLOADS = [
    # Plain script injection
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "</p><script>alert(1)</script><p>",
    # Event handlers, every shape
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)//",
    '"><img src=x onerror=alert(1)>',
    "<img src=`x` onerror=`alert(1)`>",
    '<img src="x" onerror="&#97;lert(1)">',
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    '<div onmouseover = "alert(1)">survol</div>',
    "<div\nonclick\n=\nalert(1)>x</div>",
    "<p ONCLICK='alert(1)'>x</p>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<x/onclick=alert(1)>x",
    '<a href="https://exemple.fr" onclick="alert(1)">x</a>',
    # Foreign content and embedding elements
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">CLICK</math>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>envoyer</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<div style="width: expression(alert(1))">x</div>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<xss:script>alert(1)</xss:script>",
    '<?xml version="1.0"?><x>',
    # Raw HTML links
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    # Markdown links
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](java%09script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](<java script:alert(1)>)",
    "[x]( javascript:alert(1) )",
    "[x](\x01javascript:alert(1))",
    "[x](jav\x00ascript:alert(1))",
    '[x](javascript:alert(1) "titre")',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x][ref]\n\n[ref]: <data:text/html,alert(1)>",
    "![x](javascript:alert(1))",
    '![x](https://exemple.fr/x.png" onerror="alert(1))',
    "[<img src=x onerror=alert(1)>](https://exemple.fr)",
    '[x](https://exemple.fr"onmouseover="alert(1))',
    # Autolinks and linkify
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html;base64,PHNjcmlwdD4=>",
    'https://exemple.fr/"onmouseover="alert(1)',
    "https://exemple.fr/<script>alert(1)</script>",
    "javascript:alert(1)",
    # Titles and nested Markdown in titles
    '[x](https://exemple.fr "\\"><script>alert(1)</script>")',
    '[x](https://exemple.fr "*y* onmouseover=alert(1)")',
    "[x](https://exemple.fr '[y](javascript:alert(1))')",
    "[[x](javascript:alert(1))](https://exemple.fr)",
    # Comments, CDATA, code
    "<!-- <script>alert(1)</script> -->",
    "<!--><img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "    <img src=x onerror=alert(1)>",
    # Unicode / escaped variants
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "<scri\u200bpt>alert(1)</script>",
    "\\<script>alert(1)\\</script>",
    "| a | <script>alert(1)</script> |\n|---|---|\n| <img src=x onerror=alert(1)> | b |",
    "> <iframe src=javascript:alert(1)>",
    "- <svg onload=alert(1)>",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markdown_neutralises_xss(payload):
    assert_inert(render_markdown(payload))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_inline_neutralises_xss(payload):
    assert_inert(render_inline(payload))


def test_corpus_is_substantial():
    assert len(XSS_PAYLOADS) >= 30


@pytest.mark.parametrize(
    "payload",
    ["[clic](javascript:alert(1))", "[clic](java&#x09;script:alert(1))", "[clic](vbscript:x)"],
)
def test_rejected_link_keeps_its_text(payload):
    output = render_markdown(payload)
    assert "clic" in output
    assert links(output) == []


def test_raw_html_link_is_shown_not_rendered():
    output = render_markdown('<a href="javascript:alert(1)">x</a>')
    assert links(output) == []
    assert "&lt;a href=" in output


# --------------------------------------------------------------------------- rendering


def test_emphasis():
    output = render_markdown("**gras**, *italique* et ~~barré~~")
    assert "<strong>gras</strong>" in output
    assert "<em>italique</em>" in output
    assert "<s>barré</s>" in output
    assert_inert(output)


def test_lists():
    output = render_markdown("- un\n- deux\n\n3. trois\n4. quatre")
    assert "<ul>" in output and "<li>un</li>" in output
    assert '<ol start="3">' in output and "<li>quatre</li>" in output
    assert_inert(output)


def test_code():
    output = render_markdown("Du `code` et :\n\n```python\nx = 1 < 2\n```")
    assert "<code>code</code>" in output
    assert "<pre><code>x = 1 &lt; 2\n</code></pre>" in output
    assert_inert(output)


def test_code_is_not_linkified():
    output = render_markdown("`https://exemple.fr`")
    assert links(output) == []


def test_table():
    output = render_markdown("| Nom | Ville |\n|:----|------:|\n| Léa | Lyon |")
    for tag in ("<table>", "<thead>", "<tbody>", "<tr>", "<th>Nom</th>", "<td>Lyon</td>"):
        assert tag in output
    assert "style=" not in output
    assert_inert(output)


def test_blockquote_headings_and_rule():
    output = render_markdown("# Titre\n\n### Sous-titre\n\n> citation\n\n---")
    assert "<h1>Titre</h1>" in output
    assert "<h3>Sous-titre</h3>" in output
    assert "<blockquote>\n<p>citation</p>\n</blockquote>" in output
    assert "<hr>" in output
    assert_inert(output)


def test_hard_line_break():
    assert "<br>" in render_markdown("ligne un  \nligne deux")


def test_bare_url_is_linkified_with_rel():
    output = render_markdown("Voir https://exemple.fr/page pour le détail.")
    assert links(output) == [{"href": "https://exemple.fr/page", "rel": "nofollow noopener"}]
    assert ">https://exemple.fr/page</a> pour le détail." in output


def test_markdown_link_gets_rel_and_title():
    output = render_markdown('[le site](https://exemple.fr/a?b=1&c=2 "Titre")')
    assert links(output) == [
        {"href": "https://exemple.fr/a?b=1&c=2", "title": "Titre", "rel": "nofollow noopener"}
    ]
    assert "&amp;c=2" in output


def test_links_get_no_target():
    output = render_markdown("[a](https://exemple.fr) et https://exemple.org")
    assert len(links(output)) == 2
    assert all("target" not in attrs for attrs in links(output))


def test_mailto_is_allowed():
    output = render_markdown("[écrire](mailto:contact@exemple.fr) ou lea@exemple.fr")
    hrefs = [attrs["href"] for attrs in links(output)]
    assert hrefs == ["mailto:contact@exemple.fr", "mailto:lea@exemple.fr"]
    assert_inert(output)


def test_relative_and_anchor_links_are_kept():
    output = render_markdown("[profil](/membres/12) et [haut](#haut)")
    assert [attrs["href"] for attrs in links(output)] == ["/membres/12", "#haut"]


def test_disallowed_scheme_is_dropped():
    assert links(render_markdown("[ftp](ftp://exemple.fr/fichier)")) == []


def test_french_text_survives():
    text = "Café « déjà vu » — l’été à Besançon, œuvre n° 3 !"
    assert render_markdown(text) == Markup(f"<p>{text}</p>")
    assert render_inline(text) == Markup(text)


def test_raw_html_is_shown_as_text():
    output = render_markdown("Un <b>gras</b> brut")
    assert output == Markup("<p>Un &lt;b&gt;gras&lt;/b&gt; brut</p>")
    assert [tag for tag, _ in parse(output).tags] == ["p"]


def test_images_are_not_rendered():
    output = render_markdown("![logo](https://exemple.fr/logo.png)")
    assert "<img" not in output
    assert links(output) == [{"href": "https://exemple.fr/logo.png", "rel": "nofollow noopener"}]


def test_typographer_is_off():
    assert render_markdown('"citation" -- (c)') == Markup("<p>&quot;citation&quot; -- (c)</p>")


def test_returns_markup():
    assert isinstance(render_markdown("x"), Markup)
    assert isinstance(render_inline("x"), Markup)


@pytest.mark.parametrize("empty", [None, ""])
def test_empty_inputs(empty):
    assert render_markdown(empty) == Markup("")
    assert render_inline(empty) == Markup("")
    assert to_plain_text(empty) == ""
    assert to_plain_text(empty, limit=10) == ""


def test_whitespace_only_input():
    assert render_markdown("   \n\n ") == Markup("")


# --------------------------------------------------------------------------- inline


def test_inline_has_no_block_markup():
    output = render_inline("# Pas un titre\n- pas une liste\n\n> pas une citation")
    assert parse(output).tags == []
    assert "<p>" not in output


def test_inline_ignores_emphasis_and_code():
    assert render_inline("**a** _b_ `c`") == Markup("**a** _b_ `c`")


def test_inline_escapes_and_linkifies():
    output = render_inline("Motif <b>urgent</b> : https://exemple.fr/x?a=1&b=2")
    assert "&lt;b&gt;urgent&lt;/b&gt;" in output
    assert links(output) == [{"href": "https://exemple.fr/x?a=1&b=2", "rel": "nofollow noopener"}]
    assert "<p>" not in output


# --------------------------------------------------------------------------- plain text


def test_plain_text_strips_markdown():
    source = "# Titre\n\n**Gras** et *italique* avec [un lien](https://exemple.fr).\n\n> cité"
    assert to_plain_text(source) == "Titre\n\nGras et italique avec un lien.\n\ncité"


def test_plain_text_lists_and_tables():
    assert to_plain_text("- un\n- deux\n  - sous\n\n2. b\n3. c") == (
        "- un\n- deux\n  - sous\n\n2. b\n3. c"
    )
    assert to_plain_text("| a | b |\n|---|---|\n| 1 | 2 |") == "a | b\n1 | 2"


def test_plain_text_keeps_what_the_page_shows():
    # Raw HTML is displayed as text on the page, so it is kept as text here too;
    # entities are decoded since the result is not HTML.
    assert to_plain_text("Un <b>gras</b> & « toi »") == "Un <b>gras</b> & « toi »"
    assert isinstance(to_plain_text("x"), str)
    assert not isinstance(to_plain_text("x"), Markup)


def test_plain_text_keeps_code_lines():
    assert to_plain_text("```\nligne 1\n  ligne 2\n```") == "ligne 1\n  ligne 2"


def test_plain_text_truncates_on_word_boundary():
    text = "Le réseau des catalyseurs territoriaux se réunit jeudi"
    result = to_plain_text(text, limit=30)
    assert result == "Le réseau des catalyseurs…"
    assert len(result) <= 30


def test_plain_text_truncation_drops_trailing_punctuation():
    assert to_plain_text("Bonjour, monde entier", limit=10) == "Bonjour…"


def test_plain_text_truncation_of_single_long_word():
    result = to_plain_text("Anticonstitutionnellement", limit=10)
    assert result == "Anticonst…"
    assert len(result) == 10


def test_plain_text_not_truncated_when_short_enough():
    assert to_plain_text("Court", limit=5) == "Court"
    assert to_plain_text("Court", limit=100) == "Court"


def test_plain_text_truncation_cut_exactly_before_space():
    assert to_plain_text("un deux trois", limit=8) == "un deux…"


# --------------------------------------------------------------------------- integration


def test_register_adds_jinja_filters():
    app = Flask(__name__)
    register(app)
    with app.app_context():
        rendered = render_template_string(
            "{{ body|markdown }}|{{ title|inline_md }}|{{ body|plain(8) }}",
            body="**Salut** <i>toi</i>",
            title="Voir https://exemple.fr",
        )
    assert rendered == (
        "<p><strong>Salut</strong> &lt;i&gt;toi&lt;/i&gt;</p>"
        '|Voir <a href="https://exemple.fr" rel="nofollow noopener">https://exemple.fr</a>'
        "|Salut…"
    )


def test_plain_filter_output_is_autoescaped():
    app = Flask(__name__)
    register(app)
    with app.app_context():
        rendered = render_template_string("{{ body|plain }}", body="<script>x</script>")
    assert rendered == "&lt;script&gt;x&lt;/script&gt;"


def test_rendering_is_thread_safe():
    sources = [f"**{i}** https://exemple.fr/{i} <b>{i}</b>\n\n- {i}" for i in range(50)]
    expected = [render_markdown(source) for source in sources]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(render_markdown, sources * 8))
    assert results == expected * 8
