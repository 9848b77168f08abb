"""CommonMark to HTML with cmark-gfm, through ``cmarkgfm`` (optional extra).

One function, :func:`render`, with the options of the CommonMark reader:

- smart punctuation (curly quotes, en and em dashes, ellipses);
- the GFM extensions ``table`` (alignment as ``style`` attributes, valid
  HTML5), ``strikethrough`` (``~~double~~`` tildes only: a single tilde is
  common in news copy, "up ~5%"), ``autolink`` (bare ``www.`` and
  ``https://`` links), and footnotes;
- raw HTML kept as written (``CMARK_OPT_UNSAFE``, no ``tagfilter``): the
  site's own HTML policy applies to the result, as it does to
  Python-Markdown's.

cmarkgfm's one-call functions never free the document tree nor the HTML
buffer cmark-gfm returns (about 95 KB per call for a 1.7 KB text with a
table, measured with cmarkgfm 2025.10.22), which a build of tens of
thousands of stories in one process cannot afford. :func:`render` runs the
same steps through cmarkgfm's wrappers and frees both with cmark-gfm's own
``cmark_node_free`` and default allocator, reached in cmarkgfm's compiled
module through cffi (a cmarkgfm without them is refused with a clear
error: one way to render, never a leaking second one).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, NamedTuple

try:
    import cffi
    from cmarkgfm import _cmark, cmark  # _cmark: cmarkgfm's compiled module
    from cmarkgfm.cmark import Options
except ImportError:  # the optional extra is not installed
    cmark = None

__all__ = ["INSTALL", "available", "render"]


INSTALL = "python -m pip install 'pelican-fastbuild[commonmark]'"
EXTENSIONS = ("table", "strikethrough", "autolink")

# Pelican's intrasite links ({filename}, {static}, |filename|...) at the start
# of an attribute value, as cmark writes them: braces and bars
# percent-encoded in link and image destinations.
_ESCAPED_LINK = re.compile(r'(=")(?:%7B(\w+)%7D|%7C(\w+)%7C)')


def available() -> bool:
    """Is cmarkgfm installed (``pelican-fastbuild[commonmark]``)?"""
    return cmark is not None


def options() -> int:
    return (
        Options.CMARK_OPT_UNSAFE
        | Options.CMARK_OPT_SMART
        | Options.CMARK_OPT_FOOTNOTES
        | Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE
        | Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
    )


class _Native(NamedTuple):
    """cmark-gfm functions cmarkgfm does not wrap, in its compiled module."""

    ffi: Any
    node_free: Any
    mem_free: Any


@cache
def _extensions() -> tuple[Any, ...]:
    cmark.core_extensions_ensure_registered()
    found = tuple(cmark.find_syntax_extension(name) for name in EXTENSIONS)
    if None in found:
        raise RuntimeError(f"fastbuild: cmark-gfm lacks an extension of {EXTENSIONS}")
    return found


@cache
def _native() -> _Native:
    """``cmark_node_free`` and the default allocator's ``free`` of the
    cmark-gfm inside cmarkgfm (the library already loaded: dlopen of the same
    file gives the same copy)."""
    ffi = cffi.FFI()
    ffi.cdef(
        """
        typedef struct cmark_mem {
            void *(*calloc)(size_t, size_t);
            void *(*realloc)(void *, size_t);
            void (*free)(void *);
        } cmark_mem;
        cmark_mem *cmark_get_default_mem_allocator(void);
        void cmark_node_free(void *node);
        """
    )
    try:
        lib = ffi.dlopen(_cmark.__file__)
        node_free = lib.cmark_node_free
        mem_free = lib.cmark_get_default_mem_allocator().free
    except (OSError, AttributeError) as error:
        raise RuntimeError(
            f"fastbuild: this cmarkgfm ({_cmark.__file__}) does not export "
            f"cmark-gfm's cmark_node_free and allocator ({error}); install the "
            f"version the engine is tested with: {INSTALL}"
        ) from error
    return _Native(ffi, node_free, mem_free)


def _render_freed(text: str, flags: int, native: _Native) -> str:
    parser = cmark.parser_new(flags)
    try:
        for extension in _extensions():
            cmark.parser_attach_syntax_extension(parser, extension)
        cmark.parser_feed(parser, text)
        root = cmark.parser_finish(parser)
        try:
            raw = _cmark.lib.cmark_render_html(
                root, flags, cmark.parser_get_syntax_extensions(parser)
            )
            try:
                return _cmark.ffi.string(raw).decode("utf-8")
            finally:
                native.mem_free(native.ffi.cast("void *", raw))
        finally:
            native.node_free(native.ffi.cast("void *", root))
    finally:
        cmark.parser_free(parser)


def render(text: str) -> str:
    """The HTML of a CommonMark text, stripped of surrounding whitespace as
    Python-Markdown's is, with Pelican's intrasite links left as written."""
    html = _render_freed(text, options(), _native())
    return _ESCAPED_LINK.sub(_unescape_link, html).strip()


def _unescape_link(match: re.Match[str]) -> str:
    prefix, braced, barred = match.groups()
    return f"{prefix}{{{braced}}}" if braced else f"{prefix}|{barred}|"
