"""The share block's links: plain links, no third-party scripts.

Templates call :func:`share_links` as ``cx_share_links(url, title)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class ShareLink:
    key: str
    label: str
    href: str


def share_links(url: str, title: str) -> list[ShareLink]:
    """Plain share links (no scripts) for an absolute ``url``."""
    title = " ".join(str(title).split())
    q_title, q_url = quote(title, safe=""), quote(url, safe="")
    q_body = quote(f"{title}\r\n{url}", safe="")
    return [
        ShareLink("email", "Email", f"mailto:?subject={q_title}&body={q_body}"),
        ShareLink(
            "x",
            "X (Twitter)",
            f"https://twitter.com/intent/tweet?text={q_title}&url={q_url}",
        ),
        ShareLink(
            "linkedin",
            "LinkedIn",
            f"https://www.linkedin.com/sharing/share-offsite/?url={q_url}",
        ),
        ShareLink(
            "weibo",
            "Weibo",
            f"https://service.weibo.com/share/share.php?url={q_url}&title={q_title}",
        ),
    ]
