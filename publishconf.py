"""Production settings: absolute URLs and strict checking (make publish)."""

from __future__ import annotations

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = "https://daily.cx-newsroom.example"
RELATIVE_URLS = False
CX_DIGEST_PUBLIC_URL = SITEURL
CX_DIGEST_STRICT = True
DELETE_OUTPUT_DIRECTORY = True
# Its own incremental state: production and preview builds differ in settings,
# so sharing one would make each a full build.
CACHE_PATH = "cache/publish"
