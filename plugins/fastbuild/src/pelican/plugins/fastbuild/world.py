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
  ``pelicanconf.py``, an editable install).
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
import sysconfig
from collections.abc import Iterable, Mapping
from typing import Any

from .fingerprint import Fingerprinter, Untracked, digest, file_digest

__all__ = ["world_fingerprint"]


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


def _templates_digest(folders: list[str]) -> bytes:
    parts: list[bytes] = []
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                try:
                    parts += [
                        path.encode("utf-8", "surrogateescape"),
                        file_digest(path),
                    ]
                except OSError:
                    parts.append(
                        b"unreadable:" + path.encode("utf-8", "surrogateescape")
                    )
    return digest(*parts)


def _code_digest() -> bytes:
    """Python's version, every installed distribution's version, and the
    source of every imported module from elsewhere (whole packages: a
    submodule imported later in a build changes nothing)."""
    roots = [
        os.path.realpath(p)
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
        if (p := sysconfig.get_path(key))
    ]
    roots += [os.path.realpath(p) for p in sys.path if p.endswith("site-packages")]
    parts: list[bytes] = [sys.version.encode()]
    parts += sorted(
        f"{dist.metadata['Name']}=={dist.version}".encode()
        for dist in importlib.metadata.distributions()
    )
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
    for top in sorted(local):
        if os.path.isdir(top):
            for root, dirs, files in os.walk(top):
                dirs.sort()
                for file_name in sorted(files):
                    if file_name.endswith(".py"):
                        source = os.path.join(root, file_name)
                        parts += [
                            source.encode("utf-8", "surrogateescape"),
                            _safe_file_digest(source),
                        ]
        else:
            parts += [top.encode("utf-8", "surrogateescape"), _safe_file_digest(top)]
    return digest(*parts)


def _safe_file_digest(path: str) -> bytes:
    try:
        return file_digest(path)
    except OSError:
        return b"unreadable:" + path.encode("utf-8", "surrogateescape")


def world_fingerprint(settings: Mapping[str, Any], environments: Iterable[Any]) -> str:
    """The build's world fingerprint (hex); "" when the settings cannot be
    fingerprinted (every build is then a full one)."""
    try:
        # The settings dict itself, not as a token: its values matter here.
        settings_fp = Fingerprinter().of(dict(settings))
    except Untracked:
        return ""
    folders = template_folders(environments)
    return digest(
        settings_fp,
        "\n".join(folders).encode("utf-8", "surrogateescape"),
        _templates_digest(folders),
        _code_digest(),
    ).hex()
