"""The one family of setting checks: a reader for each kind of value.

Each reads one key of the settings mapping (defaults filled in) and returns
the value in the form the plugin uses, or raises :class:`SettingsError`
naming the key, the value and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from email.utils import getaddresses
from typing import Any

from ..text import has_scheme, is_web_url, xml_safe

_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$")
_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
# Sample values each path pattern is tried with.
SAMPLES: dict[str, Any] = {"date": date(2021, 7, 29), "number": 2, "slug": "markets"}


class SettingsError(ValueError):
    """A ``CX_DIGEST_*`` setting has a value the plugin cannot use."""


def fail(key: str, value: Any, expected: str) -> SettingsError:
    return SettingsError(
        f"cx_digest: setting {key} = {value!r} is invalid: expected {expected}"
    )


def read_text(values: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    value = values[key]
    if not isinstance(value, str) or (required and not value.strip()):
        raise fail(key, value, "a non-empty string" if required else "a string")
    return xml_safe(value).strip()


def read_choice(values: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = values[key]
    if not isinstance(value, str) or value.strip().casefold() not in choices:
        raise fail(key, value, " or ".join(repr(c) for c in choices))
    return value.strip().casefold()


def read_hosts(values: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A list of host names (``player.vimeo.com``), lower-cased."""
    value = values[key]
    if not isinstance(value, list | tuple) or not all(
        isinstance(v, str) and _HOST.match(v.strip().lower()) for v in value
    ):
        raise fail(key, value, "a list of host names such as 'player.vimeo.com'")
    return tuple(sorted({v.strip().lower() for v in value}))


def read_count(values: Mapping[str, Any], key: str, minimum: int) -> int:
    value = values[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise fail(key, value, f"an integer >= {minimum}")
    return value


def read_flag(values: Mapping[str, Any], key: str) -> bool:
    value = values[key]
    if not isinstance(value, bool):
        raise fail(key, value, "True or False")
    return value


def read_path(
    values: Mapping[str, Any],
    key: str,
    fields: tuple[str, ...] = (),
    *,
    needs: str = "",
    suffix: str = "",
) -> str:
    """An output path relative to the site, or ``""`` (off).

    ``fields`` are the ``{fields}`` it may use; ``needs`` one it must use.
    """
    value = read_text(values, key)
    if value == "":
        return value
    if value.startswith("/") or "\\" in value or ".." in value.split("/"):
        raise fail(key, value, "a path relative to the site, or '' (off)")
    allowed = ", ".join(f"{{{name}}}" for name in fields) or "no {fields}"
    try:
        sample = value.format(**{name: SAMPLES[name] for name in fields})
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise fail(key, value, f"a path that may only use {allowed} ({exc})") from exc
    if needs and (f"{{{needs}" not in value or sample == value):
        raise fail(key, value, f"a path with a {{{needs}}} field, or '' (off)")
    if suffix and not sample.endswith(suffix):
        raise fail(key, value, f"a file name ending in {suffix}, or '' (off)")
    return value


def read_web_url(values: Mapping[str, Any], key: str, *, mailto: bool = False) -> str:
    value = read_text(values, key)
    if value and not (
        is_web_url(value) or (mailto and re.match(r"^mailto:\S+$", value))
    ):
        kinds = "an http(s):// or mailto: URL" if mailto else "an http(s):// URL"
        raise fail(key, value, f"{kinds}, or ''")
    return value


def read_site_file(values: Mapping[str, Any], key: str) -> str:
    """A file of the site (``images/logo.png``, under ``content/``) or an
    http(s) URL, or ``""``."""
    value = read_text(values, key)
    if not value or is_web_url(value):
        return value
    path = value.lstrip("/")
    if value.startswith("//") or has_scheme(value) or ".." in path.split("/"):
        raise fail(
            key,
            value,
            "a path under content/ ('images/logo.png'), an http(s) URL or ''",
        )
    return path


def read_address(values: Mapping[str, Any], key: str, default: str = "") -> str:
    value = read_text(values, key) or default
    pairs = getaddresses([value]) if value else []
    if value and (
        "\n" in value
        or "\r" in value
        or not pairs
        or not all(_ADDRESS.fullmatch(address) for _, address in pairs)
    ):
        raise fail(key, value, "an address such as 'CX Daily <news@example.com>'")
    return value


def check_language(value: str, key: str, pattern: re.Pattern[str], example: str) -> str:
    if not pattern.match(value):
        raise fail(key, value, example)
    return value
