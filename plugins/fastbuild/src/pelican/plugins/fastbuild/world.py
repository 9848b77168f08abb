"""The world fingerprint: what every page of a build depends on.

A change here cannot be attributed to single pages, so it renders every
page again (an incremental build becomes a full one). It covers:

- the whole settings dictionary (:mod:`.fingerprint`, functions by name);
- every file under every template folder of the build's Jinja environments
  (the theme, ``THEME_TEMPLATES_OVERRIDES``, plugins' template folders):
  names and bytes;
- the code: Python's version, the name and version of every installed
  distribution, and the bytes of every ``.py`` file of each imported
  package (or module) that is neither in the standard library nor in a
  ``site-packages`` folder (a plugin checked out next to the site,
  ``pelicanconf.py``, an editable install);
- the process's locale and time zone as the build starts: with Pelican's
  default ``LOCALE`` (``""``, the environment's) dates show month and day
  names in the language of ``LANG`` or ``LC_TIME``, and a file's date
  (``DEFAULT_DATE = "fs"``) is read in the zone of ``TZ``. (Pelican sets
  the locale of a ``(locale, format)`` entry of ``DATE_FORMATS``, a
  setting, as it makes each content object.)
"""

from __future__ import annotations

import importlib.metadata
import locale
import os
import sys
import sysconfig
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .fingerprint import Fingerprinter, Untracked, digest, file_digest

__all__ = [
    "EMPTY_FOLDER",
    "UNREADABLE",
    "code_digest",
    "local_code",
    "locale_and_zone",
    "settings_fingerprint",
    "sources_fingerprint",
    "template_folders",
    "theme_static_sources",
    "tree_parts",
    "world_fingerprint",
]


def template_folders(environments: Iterable[Any]) -> list[str]:
    """The folders every Jinja loader of the environments searches."""
    folders: list[str] = []
    seen: set[int] = set()
    queue = [getattr(env, "loader", None) for env in environments]
    while queue:
        loader = queue.pop()
        if loader is None or id(loader) in seen:
            continue
        seen.add(id(loader))
        for path in getattr(loader, "searchpath", ()) or ():
            folders.append(os.path.abspath(path))
        mapping = getattr(loader, "mapping", None)
        if isinstance(mapping, Mapping):
            queue.extend(v for v in mapping.values() if hasattr(v, "get_source"))
        queue.extend(getattr(loader, "loaders", ()) or ())
        provider = getattr(loader, "_loader", None) or getattr(
            loader, "package_path", None
        )
        if provider is not None and hasattr(loader, "_template_root"):
            folders.append(os.path.abspath(loader._template_root))
    return sorted(set(folders))


def theme_static_sources(settings: Mapping[str, Any]) -> list[str]:
    """The theme's static files and folders, ``THEME_STATIC_PATHS`` taken
    from ``THEME`` as Pelican takes them (absolute paths; none without a
    theme)."""
    theme = settings.get("THEME")
    if not isinstance(theme, str) or not theme:
        return []
    return [
        os.path.abspath(os.path.join(theme, entry))
        for entry in settings.get("THEME_STATIC_PATHS") or ()
        if isinstance(entry, str)
    ]


def tree_parts(
    top: str,
    keep: Callable[[str], bool] = lambda name: True,
    skip: frozenset[str] = frozenset(),
) -> list[bytes]:
    """Every file under ``top`` (a folder, or a file) whose name ``keep``
    accepts, but under the folders ``skip`` (absolute paths), in a fixed
    order: its path and the digest of its bytes; and every empty folder,
    its path (ending in a separator) and :data:`EMPTY_FOLDER` (Pelican
    copies a theme's empty static folders)."""
    if not os.path.isdir(top):
        return [top.encode("utf-8", "surrogateescape"), _safe_file_digest(top)]
    parts: list[bytes] = []
    for root, dirs, files in os.walk(top, followlinks=True):
        dirs[:] = sorted(d for d in dirs if os.path.join(root, d) not in skip)
        if not dirs and not files:
            folder = os.path.join(root, "")
            parts += [folder.encode("utf-8", "surrogateescape"), EMPTY_FOLDER]
        for name in sorted(files):
            if keep(name):
                path = os.path.join(root, name)
                parts += [
                    path.encode("utf-8", "surrogateescape"),
                    _safe_file_digest(path),
                ]
    return parts


def local_code() -> list[str]:
    """The source folder (or file) of every imported module that is neither
    in the standard library nor in a ``site-packages`` folder: a whole
    package, so that a submodule imported later in a build changes
    nothing."""
    roots = [
        os.path.realpath(p)
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
        if (p := sysconfig.get_path(key))
    ]
    roots += [os.path.realpath(p) for p in sys.path if p.endswith("site-packages")]
    local: set[str] = set()
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if not path or not isinstance(path, str) or not path.endswith(".py"):
            continue
        real = os.path.realpath(path)
        if any(real.startswith(root + os.sep) for root in roots):
            continue
        depth = name.count(".") + (1 if real.endswith("__init__.py") else 0)
        top = real
        for _ in range(depth):
            top = os.path.dirname(top)
        local.add(top)
    return sorted(local)


def code_digest(local: Iterable[str]) -> bytes:
    """Python's version, every installed distribution's version, and the
    ``.py`` files of the ``local`` sources (:func:`local_code`)."""
    parts: list[bytes] = [sys.version.encode()]
    parts += sorted(
        f"{dist.metadata['Name']}=={dist.version}".encode()
        for dist in importlib.metadata.distributions()
    )
    for top in sorted(local):
        parts += tree_parts(top, lambda name: name.endswith(".py"))
    return digest(*parts)


UNREADABLE = b"unreadable:"  # what stands for the digest of a file not read
EMPTY_FOLDER = b"empty folder"  # what tree_parts gives for one


def _safe_file_digest(path: str) -> bytes:
    try:
        return file_digest(path)
    except OSError:
        return UNREADABLE + path.encode("utf-8", "surrogateescape")


def settings_fingerprint(settings: Mapping[str, Any]) -> bytes | None:
    """The whole settings dict's fingerprint (None: it cannot be taken)."""
    try:
        # The settings dict itself, not as a token: its values matter here.
        return Fingerprinter().of(dict(settings))
    except Untracked:
        return None


def locale_and_zone() -> bytes:
    """The process's locale (every category) and local time zone, as Pelican
    formats and reads dates with them."""
    zone = (os.environ.get("TZ"), time.tzname, time.timezone, time.altzone)
    return f"{locale.setlocale(locale.LC_ALL)}\n{zone!r}".encode(
        "utf-8", "surrogateescape"
    )


def sources_fingerprint(
    folders: list[str], local: list[str], environment: bytes
) -> bytes:
    """The template ``folders`` (:func:`template_folders`: names and files),
    the code (:func:`code_digest` of ``local``) and the locale and time zone
    the build started with (``environment``, :func:`locale_and_zone`)."""
    templates = [part for folder in folders for part in tree_parts(folder)]
    return digest(
        "\n".join(folders).encode("utf-8", "surrogateescape"),
        digest(*templates),
        code_digest(local),
        environment,
    )


def world_fingerprint(settings: Mapping[str, Any], sources: bytes) -> str:
    """The build's world fingerprint (hex): its settings and its
    :func:`sources_fingerprint`; "" when the settings cannot be
    fingerprinted (every build is then a full one)."""
    settings_fp = settings_fingerprint(settings)
    if settings_fp is None:
        return ""
    return digest(settings_fp, sources).hex()
