"""The plugin README documents every setting with its default, as the code
has it: the one place tests take defaults from is ``DEFAULTS``, checked
here against what users read."""

from __future__ import annotations

import ast
import re

from cx_digest.settings import DEFAULTS
from support import ROOT

README = (ROOT / "plugins/cx_digest/README.md").read_text(encoding="utf-8")
ROWS = dict(re.findall(r"^\| `(CX_DIGEST_[A-Z_]+)` \| (.*?) \|", README, re.M))


def test_every_setting_is_documented() -> None:
    assert set(DEFAULTS) - set(ROWS) == set()
    assert set(ROWS) - set(DEFAULTS) == set()


def test_documented_defaults_are_the_defaults() -> None:
    checked = 0
    for key, cell in ROWS.items():
        quoted = re.findall(r"`([^`]*)`", cell)
        try:
            value = ast.literal_eval(quoted[0]) if quoted else None
        except (ValueError, SyntaxError):
            value = None
        default = DEFAULTS[key]
        if value is not None or quoted[:1] == ["None"]:
            assert value == default, key
        elif isinstance(default, list) and all(isinstance(v, str) for v in default):
            assert set(quoted) == set(default), key
        else:  # described in words (the CPU count)
            assert not isinstance(default, str), key
            continue
        checked += 1
    assert checked >= len(DEFAULTS) - 1
