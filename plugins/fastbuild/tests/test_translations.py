"""Translation grouping in linear time: the site and the log Pelican gives."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path
from typing import Any

import pelican.generators
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pelican.log import LimitFilter
from pelican.utils import process_translations

from pbuild import build, corpus, listening, story, tree
from pelican.plugins.fastbuild import register
from pelican.plugins.fastbuild.translations import (
    install,
    process_translations_by_group,
    uninstall,
)

# Stories that Pelican groups as translations (same file name, so the same
# slug with SLUGIFY_SOURCE = "basename"), and the cases it warns about.
TRANSLATED = {
    "stories/en/rates.md": story("Rates rise", Lang="en", Tags="Rates"),
    "stories/fr/rates.md": story("Les taux montent", Lang="fr", Tags="Rates"),
    "stories/de/rates.md": story("Zinsen steigen", Lang="de", Translation="true"),
    # Every item of the group marked as a translation: Pelican warns and
    # takes the one in the default language. (Two originals would claim one
    # file, which stops the build; the property test below covers that case.)
    "stories/en/ports.md": story("Ports", Translation="true"),
    "stories/fr/ports.md": story("Les ports", Lang="fr", Translation="true"),
    # Only a translation in another language: it stands as the original.
    "stories/es/solo.md": story("Solo", Lang="es"),
    # Hidden and draft stories are grouped too.
    "stories/en/memo.md": story("Memo", Status="hidden"),
    "stories/fr/memo.md": story("Note", Lang="fr", Status="hidden"),
    "stories/en/plan.md": story("Plan", Status="draft"),
    "stories/fr/plan.md": story("Projet", Lang="fr", Status="draft"),
}


def test_a_site_with_translations_builds_as_with_pelican_alone(
    tmp_path: Path,
) -> None:
    content = corpus(tmp_path / "corpus", 60, TRANSLATED)
    grouping: list[Any] = []

    def note(generator: Any) -> None:
        grouping.append(pelican.generators.process_translations)

    with listening("article_generator_pretaxonomy", note):
        engine = build(content, tmp_path / "engine", 2)
        # Pelican alone, with its own function.
        alone = build(content, tmp_path / "alone", 1, PLUGINS=[])
    assert grouping == [process_translations_by_group, process_translations]
    assert pelican.generators.process_translations is process_translations
    expected = tree(alone.output)
    # What a reader sees of the translations.
    assert {"rates-fr.html", "rates-de.html", "ports-fr.html", "solo-es.html"} <= set(
        expected
    )
    assert b"rates-fr.html" in expected["rates.html"]
    assert tree(engine.output) == expected
    assert engine.log() == alone.log()
    warnings = " ".join(engine.messages())
    assert "are translations" in warnings


class Item:
    """What process_translations reads of a Pelican content object."""

    def __init__(self, n: int, slug: str, lang: str, translation: str | None) -> None:
        self.n = n
        self.slug = slug
        self.lang = lang
        self.in_default_lang = lang == "en"
        self.metadata = {} if translation is None else {"translation": translation}
        self.source_path = f"/content/{n}.md"


items = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "e", "f"]),
        st.sampled_from(["en", "en", "fr", "de"]),
        st.sampled_from([None, None, "true", "false", "True"]),
    ),
    max_size=40,
)


def run(function: Any, spec: list[tuple[str, str, str | None]]) -> tuple[Any, ...]:
    content = [Item(n, *row) for n, row in enumerate(spec)]
    # Pelican logs a repeated message once per process: start afresh.
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    collect = logging.handlers.BufferingHandler(sys.maxsize)  # never flushed
    collect.setLevel(logging.WARNING)
    logger = logging.getLogger("pelican.utils")
    logger.addHandler(collect)
    try:
        index, translations = function(content, "slug")
    finally:
        logger.removeHandler(collect)
    return (
        [i.n for i in index],
        [i.n for i in translations],
        [i.n for i in content],
        {i.n: [t.n for t in i.translations] for i in content},
        [record.getMessage() for record in collect.buffer],
    )


@settings(max_examples=150, deadline=None)
@given(spec=items)
def test_groups_come_out_as_pelican_makes_them(
    spec: list[tuple[str, str, str | None]],
) -> None:
    ours = run(process_translations_by_group, spec)
    assert ours == run(process_translations, spec)
    if len({slug for slug, _, _ in spec}) < len(spec):
        assert any(ours[3].values()) or ours[4]  # groups were really formed


def test_no_translation_id_and_bad_ids_behave_as_in_pelican() -> None:
    content = [Item(1, "a", "en", None)]
    assert process_translations_by_group(content, None) == (content, [])
    assert process_translations_by_group(content, "") == (content, [])
    for bad in ("missing", 5):
        with pytest.raises((AttributeError, TypeError)) as ours:
            process_translations_by_group([Item(1, "a", "en", None)], bad)  # type: ignore[arg-type]
        with pytest.raises((AttributeError, TypeError)) as theirs:
            process_translations([Item(1, "a", "en", None)], bad)  # type: ignore[arg-type]
        assert (type(ours.value), str(ours.value)) == (
            type(theirs.value),
            str(theirs.value),
        )


class Equal(Item):
    """Items equal by slug: `not in` then matches across groups."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Item) and other.slug == self.slug

    __hash__ = None  # type: ignore[assignment]


def test_items_with_their_own_equality_get_pelicans_answer() -> None:
    def make() -> list[Item]:
        return [
            Equal(1, "a", "en", None),
            Equal(2, "a", "fr", None),
            Item(3, "b", "en", None),
        ]

    ours = process_translations_by_group(make(), "slug")
    theirs = process_translations(make(), "slug")
    assert [[i.n for i in part] for part in ours] == [
        [i.n for i in part] for part in theirs
    ]


def test_install_and_uninstall_leave_other_replacements_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        pelican.generators, "process_translations", process_translations
    )
    register()
    register()
    assert pelican.generators.process_translations is process_translations
    install()
    install()
    assert pelican.generators.process_translations is process_translations_by_group
    uninstall()
    assert pelican.generators.process_translations is process_translations

    # Somebody else's replacement is left alone.
    def other(content: list[Any], translation_id: Any = "slug") -> Any:
        return content, []

    monkeypatch.setattr(pelican.generators, "process_translations", other)
    install()
    assert pelican.generators.process_translations is other
    uninstall()
    assert pelican.generators.process_translations is other
