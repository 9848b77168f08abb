"""The CommonMark reader (``FASTBUILD_MARKDOWN = "commonmark"``): the header
Pelican's Markdown reader reads, the syntax cmark-gfm renders, its setting,
its place among other plugins' readers, and real builds with it."""

from __future__ import annotations

import importlib.metadata
import logging
import resource
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from bs4 import BeautifulSoup
from pelican import Pelican
from pelican.readers import MarkdownReader, Readers
from pelican.settings import read_settings

import pelican.plugins.fastbuild as engine
from pbuild import build, corpus, listening, only_plugins, settings_for, story, tree
from pelican.plugins.fastbuild import cmark_html
from pelican.plugins.fastbuild.commonmark import (
    CommonMarkReader,
    split_header,
    use_commonmark,
)

COMMONMARK = {"FASTBUILD_MARKDOWN": "commonmark"}


def settings(**overrides: Any) -> dict[str, Any]:
    return read_settings(None, override={**COMMONMARK, **overrides})


def read(tmp_path: Path, text: str, reader: type = CommonMarkReader) -> Any:
    path = tmp_path / "story.md"
    path.write_text(text, encoding="utf-8")
    return reader(settings()).read(str(path))


def words(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text().split())


# -- the header: Python-Markdown's meta extension as the oracle ---------------

HEADERS = {
    "plain": "Title: A\nDate: 2026-03-02 10:00\n\nBody.\n",
    "repeated": "Title: A\nXu: one\nxu: two\nXU: three\n\nBody.\n",
    "continuation": "Title: A\nSummary: first\n    second line\n\tthird\n\nBody.\n",
    "case": "TITLE: A\nImage_Alt: x\nKICKER: Opinion\n\nBody.\n",
    "dashes": "---\nTitle: A\nTags: a, b\n---\nBody after the fence.\n",
    "dots": "Title: A\n...\nBody after the dots.\n",
    "indented key": "Title: A\n   Kicker: three spaces\n\nBody.\n",
    "no header": "Just a paragraph, no header.\n\nAnother.\n",
    "body first": "Hello world\nTitle: not a key\n",
    "empty value": "Title: A\nRelated:\nStatus:   draft  \n\nBody.\n",
    "unicode": "Title: 洪水过后 — café\nHan: 你好: 世界\n\nЗдравствуй, мир.\n",
    "unicode key": "Title: A\nTítulo: no\n\nBody.\n",
    "crlf": "Title: A\r\nTags: a\r\n\r\nBody.\r\n",
    "spaces-only line": "Title: A\n   \nBody.\n",
    "no body": "Title: A\nDate: 2026-03-02\n",
    "colon in value": "Title: Time: 10:00, place: here\nLink: https://x.example/a:b\n\nB.\n",
    "begin then body": "---\nNot a key\n",
}


@pytest.mark.parametrize("text", HEADERS.values(), ids=HEADERS.keys())
def test_header_is_python_markdowns(tmp_path: Path, text: str) -> None:
    ours = read(tmp_path, text)
    pelicans = read(tmp_path, text, MarkdownReader)
    assert ours[1] == pelicans[1]
    assert words(ours[0]) == words(pelicans[0])


def test_header_values_by_key(tmp_path: Path) -> None:
    header, body = split_header(HEADERS["repeated"])
    assert header == {"title": ["A"], "xu": ["one", "two", "three"]}
    assert body == "Body.\n"
    header, body = split_header(HEADERS["continuation"])
    assert header["summary"] == ["first", "second line", "third"]
    header, body = split_header(HEADERS["dashes"])
    assert header == {"title": ["A"], "tags": ["a, b"]}
    assert body == "Body after the fence.\n"
    assert split_header(HEADERS["no header"]) == ({}, HEADERS["no header"])
    header, body = split_header(HEADERS["unicode key"])
    assert header == {"title": ["A"]}
    assert body == "Título: no\n\nBody.\n"


def test_metadata_as_pelican_makes_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = (
        'Title: Rates: the "cut"\nDate: 2026-03-02 10:00\nDate: 2026-03-03 10:00\n'
        "Tags: Rates, Banks\nXu: one\nXu: two\nSummary: A *short*\n"
        "    summary -- with [a link](https://x.example/).\nKicker: Opinion\n\n"
        "Body.\n"
    )
    with caplog.at_level(logging.WARNING):
        content, meta = read(tmp_path, text)
    assert content == "<p>Body.</p>"
    assert meta["title"] == 'Rates: the "cut"'  # not a formatted field
    assert meta["date"].day == 2  # the first of a key Pelican takes once
    assert [t.name for t in meta["tags"]] == ["Rates", "Banks"]
    assert meta["xu"] == ["one", "two"]
    assert meta["kicker"] == "Opinion"
    assert meta["summary"] == (
        "<p>A <em>short</em>\nsummary – with "
        '<a href="https://x.example/">a link</a>.</p>'
    )
    assert [r.getMessage() for r in caplog.records] == [
        f"Duplicate definition of `date` for {tmp_path / 'story.md'}. Using first one."
    ]
    assert {r.name for r in caplog.records} == {"pelican.readers"}


# -- the syntax ----------------------------------------------------------------


def html(text: str) -> BeautifulSoup:
    return BeautifulSoup(cmark_html.render(text), "html.parser")


def test_smart_punctuation() -> None:
    page = html("\"Quoted\" and 'single', it's -- 1990--91 --- and so...")
    assert page.p.get_text() == (
        "\u201cQuoted\u201d and \u2018single\u2019, it\u2019s \u2013 1990\u201391 "
        "\u2014 and so\u2026"
    )


def test_tables() -> None:
    page = html("| Left | Right |\n|:-----|------:|\n| a | 1 |\n| b | 2 |\n")
    assert [th.get_text() for th in page.select("thead th")] == ["Left", "Right"]
    assert [td.get_text() for td in page.select("tbody td")] == ["a", "1", "b", "2"]
    assert page.select("th")[1]["style"] == "text-align: right"
    assert not page.select("[align]")  # HTML5: no align attribute


def test_strikethrough_needs_two_tildes() -> None:
    page = html("~~withdrawn~~ and prices up ~5% to ~10%")
    assert [d.get_text() for d in page.find_all("del")] == ["withdrawn"]
    assert "up ~5% to ~10%" in page.get_text()


def test_autolinks() -> None:
    page = html("See www.example.com, https://x.example/a?b=1 and <https://y.example>.")
    assert [a["href"] for a in page.find_all("a")] == [
        "http://www.example.com",
        "https://x.example/a?b=1",
        "https://y.example",
    ]


def test_footnotes() -> None:
    page = html("A claim.[^src]\n\n[^src]: The source.\n")
    ref = page.select_one("sup a")
    assert ref.get_text() == "1"
    note = page.select_one(ref["href"].replace("#", "li#"))
    assert note.p.get_text(" ", strip=True).startswith("The source.")
    assert note.select_one("a.footnote-backref")["href"] == "#" + ref["id"]


def test_raw_html_kept_as_written() -> None:
    text = (
        '<figure class="wide"><img src="a.png" alt=""></figure>\n\n'
        "Text with <kbd>Ctrl</kbd>.\n\n<script>track()</script>\n\n"
        "<iframe src=https://v.example></iframe>\n"
    )
    out = cmark_html.render(text)
    assert '<figure class="wide"><img src="a.png" alt=""></figure>' in out
    assert "<kbd>Ctrl</kbd>" in out
    assert "<script>track()</script>" in out  # no tagfilter: the site decides
    assert "<iframe src=https://v.example></iframe>" in out


def test_more_comment_kept(tmp_path: Path) -> None:
    text = "Title: A\n\nLede paragraph.\n<!-- more -->\nRest of the story.\n"
    content, _ = read(tmp_path, text)
    assert content == "<p>Lede paragraph.</p>\n<!-- more -->\n<p>Rest of the story.</p>"
    inline = cmark_html.render("Lede <!-- more --> rest.")
    assert inline == "<p>Lede <!-- more --> rest.</p>"


def test_intrasite_links_left_for_pelican() -> None:
    out = cmark_html.render(
        "[a]({filename}/stories/a.md#part) ![i]({static}/images/x.png) "
        "[b](|filename|b.md) [c](https://x.example/%7Bkept%7D)"
    )
    assert 'href="{filename}/stories/a.md#part"' in out
    assert 'src="{static}/images/x.png"' in out
    assert 'href="|filename|b.md"' in out
    assert 'href="https://x.example/%7Bkept%7D"' in out


SAMPLES = [
    "",
    "plain",
    "# Head\n\n* a\n* b\n\n> quote\n\n```py\nx = 1\n```\n",
    '| a |\n|---|\n| 1 |\n\nNote[^1].\n\n[^1]: "n"\n',
    "<div>raw</div>\n\n~~s~~ www.example.com \u00e9\u4e2d",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_freed_render_is_cmarkgfms(text: str) -> None:
    from cmarkgfm import cmark

    ours = cmark.markdown_to_html_with_extensions(
        text, cmark_html.options(), list(cmark_html.EXTENSIONS)
    )
    assert cmark_html.render(text) == ours.strip()  # no intrasite link here


def test_rendering_frees_its_memory() -> None:
    """cmarkgfm's own function keeps ~95 KB per call of this text."""
    text = 'Some *text*, a [link](https://x.example) and "quotes".\n\n' * 20
    text += "| a | b |\n|---|---|\n| 1 | 2 |\n"
    for _ in range(200):
        cmark_html.render(text)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(3000):
        cmark_html.render(text)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 20_000


# -- the setting -----------------------------------------------------------------


def registered_readers(**overrides: Any) -> Readers:
    with only_plugins(["pelican.plugins.fastbuild"]):
        engine.register()
        return Readers(read_settings(None, override=overrides))


def test_default_is_pelicans_reader() -> None:
    readers = registered_readers()
    assert all(
        readers.reader_classes[ext] is MarkdownReader
        for ext in ("md", "markdown", "mkd", "mdown")
    )


def test_commonmark_for_every_markdown_extension() -> None:
    readers = registered_readers(**COMMONMARK)
    for ext in ("md", "markdown", "mkd", "mdown"):
        assert readers.reader_classes[ext] is CommonMarkReader
        assert isinstance(readers.readers[ext], CommonMarkReader)
    assert readers.reader_classes["rst"].__name__ == "RstReader"


@pytest.mark.parametrize("value", ["CommonMark", "cmark", "", None, 1])
def test_an_unknown_value_stops_the_build(
    content60: Path, tmp_path: Path, value: Any
) -> None:
    with (
        only_plugins(["pelican.plugins.fastbuild"]),
        pytest.raises(engine.MarkdownSettingError) as raised,
    ):
        Pelican(settings_for(content60, tmp_path / "out", 1, FASTBUILD_MARKDOWN=value))
    assert str(raised.value) == (
        f"fastbuild: setting FASTBUILD_MARKDOWN = {value!r} is invalid: "
        "expected one of 'markdown', 'commonmark'"
    )
    assert not (tmp_path / "out").exists()


def test_without_cmarkgfm_the_error_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cmark_html, "cmark", None)
    with pytest.raises(engine.MarkdownSettingError) as raised:
        engine.markdown_setting(COMMONMARK)
    assert "pelican-fastbuild[commonmark]" in str(raised.value)
    assert "FASTBUILD_MARKDOWN = 'commonmark'" in str(raised.value)
    assert engine.markdown_setting({}) == "markdown"  # the default needs nothing


def test_cmarkgfm_is_an_extra_and_pelican_the_only_requirement() -> None:
    requires = importlib.metadata.requires("pelican-fastbuild") or []
    assert [r for r in requires if "extra ==" not in r] == ["pelican<4.13,>=4.11"]
    assert [r for r in requires if "extra ==" in r] == [
        'cmarkgfm>=2025.10.22; extra == "commonmark"'
    ]


# -- among other plugins' readers ----------------------------------------------


class Shouting:
    """A plugin's wrapper of the Markdown reader, as the digest makes one."""

    settings: Any

    def _parse_metadata(self, meta: Any) -> dict[str, Any]:
        metadata = super()._parse_metadata(meta)  # type: ignore[misc]
        metadata["shout"] = metadata["title"].upper()
        return metadata


def wrap(readers: Any) -> None:
    for ext, cls in list(readers.reader_classes.items()):
        wrapped = isinstance(cls, type) and issubclass(cls, Shouting)
        if not wrapped and isinstance(cls, type) and issubclass(cls, MarkdownReader):
            readers.reader_classes[ext] = type(cls.__name__, (Shouting, cls), {})


@pytest.mark.parametrize("first", ["wrapper", "commonmark"])
def test_wrappers_apply_whichever_runs_first(tmp_path: Path, first: str) -> None:
    readers = SimpleNamespace(
        settings=settings(), reader_classes={"md": MarkdownReader}
    )
    order = [wrap, use_commonmark] if first == "wrapper" else [use_commonmark, wrap]
    for receiver in order:
        receiver(readers)
    cls = readers.reader_classes["md"]
    assert issubclass(cls, Shouting)
    assert issubclass(cls, CommonMarkReader)
    assert cls.__name__ == "CommonMarkReader"  # Pelican's "reader" metadata
    content, meta = read(tmp_path, 'Title: "Hi"\n\n"Hi"\n', cls)
    assert content == "<p>\u201cHi\u201d</p>"
    assert meta["shout"] == '"HI"'


def test_other_readers_are_left_alone(caplog: pytest.LogCaptureFixture) -> None:
    class Other:
        pass

    readers = SimpleNamespace(
        settings=settings(),
        reader_classes={"md": Other, "markdown": None, "mkd": MarkdownReader},
    )
    use_commonmark(readers)
    assert readers.reader_classes == {
        "md": Other,
        "markdown": None,
        "mkd": CommonMarkReader,
        "mdown": CommonMarkReader,
    }
    assert [r.getMessage() for r in caplog.records] == [
        "fastbuild: FASTBUILD_MARKDOWN = 'commonmark' leaves .md files to Other, "
        "set by READERS or another plugin"
    ]


# -- real builds ---------------------------------------------------------------

LINKED = {
    "stories/a.md": story(
        "First",
        body=(
            "See [the second]({filename}/stories/b.md#more), "
            "![a harbour]({static}/images/harbour.png) and "
            "[the file]({static}/images/fields.png)."
        ),
    ),
    "stories/b.md": story("Second", date="2026-03-03 10:00", body='"Quoted".'),
}


def test_intrasite_links_resolve_in_a_build(tmp_path: Path) -> None:
    content = corpus(tmp_path / "site", 1, LINKED)
    built = build(content, tmp_path / "out", 1, **COMMONMARK)
    page = BeautifulSoup((built.output / "a.html").read_text("utf-8"), "html.parser")
    body = page.find("img", alt="a harbour").find_parent("p")
    assert [a["href"] for a in body.find_all("a")] == [
        "./b.html#more",
        "./images/fields.png",
    ]
    assert body.img["src"] == "./images/harbour.png"
    assert (built.output / "images" / "harbour.png").is_file()
    second = (built.output / "b.html").read_text("utf-8")
    assert "<p>\u201cQuoted\u201d.</p>" in second
    assert built.messages() == []


def test_parallel_reading_gives_the_serial_output(tmp_path: Path) -> None:
    content = corpus(tmp_path / "site", 60, LINKED)
    read_by: list[str] = []

    def reader_of(generator: Any) -> None:
        read_by.extend(
            type(generator.readers.readers[ext]).__name__ for ext in ("md", "mkd")
        )

    with listening("article_generator_init", reader_of):
        serial = build(content, tmp_path / "w1", 1, **COMMONMARK)
        parallel = build(content, tmp_path / "w2", 2, **COMMONMARK)
        pelicans = build(content, tmp_path / "pm", 2)
    assert read_by == ["CommonMarkReader"] * 4 + ["MarkdownReader"] * 2
    one, two = tree(serial.output), tree(parallel.output)
    assert len(one) > 200
    assert one == two
    assert serial.log() == parallel.log()
    assert "\u201cQuoted\u201d" in one["b.html"].decode()
    assert one["b.html"] != tree(pelicans.output)["b.html"]


@pytest.mark.parametrize("layer", ["reader", "generator"])
def test_content_cache_holds_commonmark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layer: str
) -> None:
    # (Without {static} links: Pelican's generator-layer cache loses them on
    # a warm build, with Python-Markdown as well.)
    content = corpus(tmp_path / "site", 30, {"stories/b.md": LINKED["stories/b.md"]})
    cache = {"CACHE_CONTENT": True, "CONTENT_CACHING_LAYER": layer, **COMMONMARK}
    cold = build(content, tmp_path / "cold", 1, **cache)

    def no_rendering(text: str, **kw: Any) -> str:
        raise AssertionError("a cached story was rendered again")

    monkeypatch.setattr(cmark_html, "render", no_rendering)
    for w in (1, 2):
        shutil.copytree(tmp_path / "cold-cache", tmp_path / f"warm{w}-cache")
        warm = build(
            content, tmp_path / f"warm{w}", w, LOAD_CONTENT_CACHE=True, **cache
        )
        assert tree(warm.output) == tree(cold.output), f"workers={w}"
        assert warm.log() == cold.log()
