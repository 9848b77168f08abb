"""Development settings for the cx-digest sample newsroom (make html / serve)."""

from __future__ import annotations

AUTHOR = "CX Newsroom"
SITENAME = "CX Daily"
SITESUBTITLE = "The day's business news in two minutes"
SITEURL = ""
RELATIVE_URLS = True

PATH = "content"
ARTICLE_PATHS = ["stories"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
IGNORE_FILES = [".#*", "*.swp", "README*"]
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "en"
LOCALE = ("C",)
DEFAULT_DATE_FORMAT = "%b %d, %Y %I:%M %p"
DEFAULT_CATEGORY = "News"
SLUGIFY_SOURCE = "basename"
# When the content cache is on (CACHE_CONTENT), keep it uncompressed: gzip
# at Pelican's level 9 costs seconds per build at archive scale.
GZIP_CACHE = False

THEME = "theme"
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["cx_digest"]
# Stories are read by pelican-fastbuild's CommonMark reader (cmark-gfm, about
# 14x less reading CPU than Python-Markdown; differences in its README). After
# changing this, build once with --ignore-cache: Pelican's content cache does
# not know which reader filled it.
FASTBUILD_MARKDOWN = "commonmark"
# Incremental builds (pelican-fastbuild): each build parses, renders and writes
# only what changed since the last one, and deletes what no longer exists; the
# state lives in CACHE_PATH (README: "Publishing a correction").
FASTBUILD_INCREMENTAL = True
CACHE_PATH = "cache/site"

ARTICLE_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html"
# A translation (Lang: and the slug of the story it translates) sits beside it.
ARTICLE_LANG_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}-{lang}/"
ARTICLE_LANG_SAVE_AS = "{date:%Y}/{date:%m}/{date:%d}/{slug}-{lang}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
CATEGORIES_SAVE_AS = "category/index.html"
CATEGORIES_URL = "category/"
TAGS_SAVE_AS = "tag/index.html"
TAGS_URL = "tag/"
ARCHIVES_SAVE_AS = "stories/index.html"
ARCHIVES_URL = "stories/"
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
# The home page is the latest edition, written by the plugin.
DIRECT_TEMPLATES = ["categories", "tags", "archives"]
DEFAULT_PAGINATION = 20
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
SUMMARY_MAX_LENGTH = 50

# Pelican's own feeds are replaced by the plugin's validated feeds.
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None

# --- cx_digest ---------------------------------------------------------
CX_DIGEST_PUBLIC_URL = "https://daily.cx-newsroom.example"
CX_DIGEST_NAME = "CX Daily"
CX_DIGEST_DAY_STARTS = "00:00"
CX_DIGEST_SECTIONS = [
    {
        "key": "policy",
        "title": "Policy & Markets",
        "categories": ["Economy", "Markets", "Finance", "Politics", "World"],
    },
    {
        "key": "business",
        "title": "Companies & Technology",
        "categories": ["Companies", "Technology", "Energy", "Property", "Autos"],
    },
]
CX_DIGEST_SUBSCRIBE_URL = "https://daily.cx-newsroom.example/subscribe/"
CX_DIGEST_HOME_SAVE_AS = "index.html"
# The project's theme styles the digest itself: no plugin stylesheet.
CX_DIGEST_STYLESHEET_SAVE_AS = ""
# Feeds: ids are tag: URIs under this authority (set once, never change it).
CX_DIGEST_FEED_ID_AUTHORITY = "daily.cx-newsroom.example,2026"
CX_DIGEST_FEED_LOGO = "images/cx-logo.png"
CX_DIGEST_FEED_ICON = "images/favicon.png"
# Email edition (email.html, email.txt, email.eml next to each edition).
CX_DIGEST_EMAIL_FROM = "CX Daily <newsletter@daily.cx-newsroom.example>"
CX_DIGEST_EMAIL_TO = "CX Daily readers <readers@lists.cx-newsroom.example>"
CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE = [
    "mailto:unsubscribe@daily.cx-newsroom.example?subject=unsubscribe",
    "https://daily.cx-newsroom.example/unsubscribe/",
]
# Sharing and discovery: publisher logo in JSON-LD, Open Graph locale.
CX_DIGEST_PUBLISHER_LOGO = "images/cx-logo.png"
CX_DIGEST_OG_LOCALE = "en_US"
