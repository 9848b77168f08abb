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
