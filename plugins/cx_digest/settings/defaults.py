"""Every ``CX_DIGEST_*`` setting and its default (documented in the README)."""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    # Naming and presentation
    "CX_DIGEST_NAME": "CX Daily",
    "CX_DIGEST_TITLE": "{name}: {lead_title}",
    "CX_DIGEST_STAMP_FORMAT": "%b %d, %Y %I:%M %p",
    "CX_DIGEST_FOOTER_TEXT": "Thanks for reading.",
    "CX_DIGEST_SUBSCRIBE_URL": "",
    "CX_DIGEST_SUBSCRIBE_TEXT": "Subscribe to get every edition by email",
    "CX_DIGEST_QR_CODE": True,
    # Grouping
    "CX_DIGEST_DAY_STARTS": "00:00",
    "CX_DIGEST_SECTIONS": [{"key": "main", "title": "", "categories": []}],
    "CX_DIGEST_EDITIONS_PATH": "digests",
    # Hot topics
    "CX_DIGEST_HOT_TOPICS_DAYS": 7,
    "CX_DIGEST_HOT_TOPICS_COUNT": 3,
    "CX_DIGEST_HOT_TOPICS_MIN_STORIES": 2,
    # Output
    "CX_DIGEST_PUBLIC_URL": "",
    "CX_DIGEST_URL": "digest/{date:%Y}/{date:%m}/{date:%d}/",
    "CX_DIGEST_SAVE_AS": "digest/{date:%Y}/{date:%m}/{date:%d}/index.html",
    "CX_DIGEST_ARCHIVE_URL": "digest/",
    "CX_DIGEST_ARCHIVE_SAVE_AS": "digest/index.html",
    "CX_DIGEST_ARCHIVE_PAGE_URL": "digest/page/{number}/",
    "CX_DIGEST_ARCHIVE_PAGE_SAVE_AS": "digest/page/{number}/index.html",
    "CX_DIGEST_ARCHIVE_PER_PAGE": 20,
    "CX_DIGEST_HOME_SAVE_AS": "",
    "CX_DIGEST_STYLESHEET_SAVE_AS": "cx-digest/digest.css",
    # Email edition
    "CX_DIGEST_EMAIL_HTML": True,
    "CX_DIGEST_EMAIL_TEXT": True,
    "CX_DIGEST_EMAIL_EML": True,
    "CX_DIGEST_EMAIL_HTML_SAVE_AS": "digest/{date:%Y}/{date:%m}/{date:%d}/email.html",
    "CX_DIGEST_EMAIL_TEXT_SAVE_AS": "digest/{date:%Y}/{date:%m}/{date:%d}/email.txt",
    "CX_DIGEST_EMAIL_EML_SAVE_AS": "digest/{date:%Y}/{date:%m}/{date:%d}/email.eml",
    "CX_DIGEST_EMAIL_FROM": "",
    "CX_DIGEST_EMAIL_TO": "",
    "CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE": [],
    "CX_DIGEST_EMAIL_MAX_BYTES": 100_000,
    # Feeds
    "CX_DIGEST_FEED_ATOM": "feeds/digest.atom.xml",
    "CX_DIGEST_FEED_RSS": "feeds/digest.rss.xml",
    "CX_DIGEST_FEED_JSON": "feeds/digest.json",
    "CX_DIGEST_STORY_FEED_ATOM": "feeds/stories.atom.xml",
    "CX_DIGEST_STORY_FEED_RSS": "feeds/stories.rss.xml",
    "CX_DIGEST_CATEGORY_FEED_ATOM": "feeds/category/{slug}.atom.xml",
    "CX_DIGEST_CATEGORY_FEED_RSS": "feeds/category/{slug}.rss.xml",
    "CX_DIGEST_FEED_MAX_ITEMS": 30,
    "CX_DIGEST_STORY_FEED_MAX_ITEMS": 50,
    "CX_DIGEST_FEED_MAX_ENTRY_BYTES": 500_000,
    "CX_DIGEST_FEED_ID_AUTHORITY": "",
    "CX_DIGEST_FEED_TITLE": "",
    "CX_DIGEST_FEED_SUBTITLE": "",
    "CX_DIGEST_FEED_AUTHOR": "",
    "CX_DIGEST_FEED_LOGO": "",
    "CX_DIGEST_FEED_ICON": "",
    "CX_DIGEST_FEED_HUB": "",
    # Sharing and discovery
    "CX_DIGEST_SITEMAP": "sitemap.xml",
    "CX_DIGEST_NEWS_SITEMAP": "news-sitemap.xml",
    "CX_DIGEST_ROBOTS_TXT": True,
    "CX_DIGEST_PUBLISHER_NAME": "",
    "CX_DIGEST_PUBLISHER_LOGO": "",
    "CX_DIGEST_NEWS_LANGUAGE": "",
    "CX_DIGEST_OG_LOCALE": "",
    "CX_DIGEST_SHARE": True,
    # Story pages: pasted markup ("clean" or "trusted") and embeds
    "CX_DIGEST_STORY_HTML": "clean",
    "CX_DIGEST_EMBED_HOSTS": [
        "youtube.com",
        "youtube-nocookie.com",
        "player.vimeo.com",
        "datawrapper.dwcdn.net",
        "flo.uri.sh",
        "public.flourish.studio",
        "www.openstreetmap.org",
    ],
    # Checking
    "CX_DIGEST_STRICT": False,
    # Deprecated alias of pelican-fastbuild's FASTBUILD_WORKERS (unset: not
    # given); read by plugin.alias_workers, removed in 0.4.0.
    "CX_DIGEST_WORKERS": None,
}
