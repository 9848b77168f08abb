"""``email.eml``: the edition as a ``multipart/alternative`` message.

Built by Python's email package (headers, MIME structure), each body
quoted-printable encoded by :func:`binascii.b2a_qp` (the standard library's
C encoder, whose lines keep RFC 2045's limit of 76 characters; the email
package's own encoder is pure Python, and was most of the cost of an
edition's email files), with a deterministic boundary, ``Date`` and
``Message-ID`` so two builds give the same bytes. One documented override
works around a folding bug.
"""

from __future__ import annotations

import binascii
import functools
import re
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from typing import Any

from .model import Edition
from .settings import EmailSettings


def fold_header(name: str, value: str, width: int = 78, linesep: str = "\r\n") -> str:
    """``Name: value`` folded at spaces into lines of at most ``width``.

    A word longer than a line stays whole (lines stay far below 998).
    """
    words = value.split(" ")
    lines = [f"{name}: {words[0]}"]
    for word in words[1:]:
        if len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(" " + word)
    return linesep.join(lines) + linesep


def _reads_as_encoded(name: str, text: str) -> bool:
    """A subject holding text that mail clients would read as an RFC 2047
    encoded word (``=?utf-8?b?...?=``, typed in a headline)."""
    return name.lower() == "subject" and "=?" in text


class MailPolicy(EmailPolicy):
    """The SMTP policy (CRLF, 78 columns) with plain folding of ASCII headers.

    The bug: when a header value does not fit after its name but fits on a
    line of its own, Python moves the whole value to a continuation line
    (``Subject:\\r\\n CX Daily: ...``), which its own parser then reads back
    with a leading space (the test shows it). Plain ASCII values are folded
    at spaces here instead; every other value (RFC 2047 encoded words) is
    left to Python.
    """

    def _fold(self, name: str, value: Any, refold_binary: bool = False) -> str:
        text = str(value)
        if _reads_as_encoded(name, text):
            # Text that reads like an RFC 2047 encoded word ("=?utf-8?b?...?=",
            # typed in a headline) would be decoded by mail clients: the
            # whole value goes as encoded words of itself. (Only the subject,
            # which is the edition's title: an address or URL header cannot
            # be one encoded word.)
            encoded = Header(text, "utf-8", header_name=name).encode(
                linesep=self.linesep, maxlinelen=self.max_line_length or 78
            )
            return f"{name}: {encoded}{self.linesep}"
        if text.isascii() and not re.search(r"[\r\n]|\s\s", text):
            return fold_header(name, text, self.max_line_length or 78, self.linesep)
        return super()._fold(name, value, refold_binary)


MAIL_POLICY = MailPolicy(linesep="\r\n")


@functools.lru_cache(maxsize=64)
def _header(name: str, value: str) -> Any:
    """``Name: value`` parsed by the policy's header registry, once: most
    headers (``From``, ``To``, the parts' ``Content-Type``...) are the same in
    every edition's message, and parsing one is most of the cost of setting
    it. A parsed header is immutable; a message stores it as given."""
    return MAIL_POLICY.header_factory(name, value)


def message(
    settings: EmailSettings, host: str, edition: Edition, text: str, html: str
) -> str:
    """The ``.eml`` text (ASCII, CRLF lines) of one edition."""
    msg = EmailMessage(policy=MAIL_POLICY)
    headers = [("From", settings.sender)]
    if settings.to:
        headers.append(("To", settings.to))
    headers += [
        ("Subject", edition.title),
        ("Date", format_datetime(edition.stamp)),
        ("Message-ID", f"<cx-digest.{edition.day.isoformat()}@{host}>"),
    ]
    if settings.list_unsubscribe:
        urls = settings.list_unsubscribe
        headers.append(("List-Unsubscribe", ", ".join(f"<{url}>" for url in urls)))
        if any(url.startswith("https://") for url in urls):
            headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    headers += [("MIME-Version", "1.0"), ("Content-Type", "multipart/alternative")]
    for name, value in headers:
        if _reads_as_encoded(name, value):
            # Parsing would decode it: give the text as an encoded word of
            # itself, which parses back to the text (MailPolicy writes it).
            value = Header(value, "utf-8").encode(maxlinelen=0)
        msg[name] = _header(name, value)
    msg.set_payload([_text_part(text, "plain"), _text_part(html, "html")])
    # The email package picks a random boundary; "=_" cannot occur in
    # quoted-printable bodies, so this one is safe and deterministic.
    msg.set_boundary(f"=_cx-digest-{edition.day:%Y%m%d}")
    return msg.as_bytes(policy=MAIL_POLICY).decode("ascii")


def _text_part(body: str, subtype: str) -> EmailMessage:
    """A ``text/<subtype>`` part: UTF-8, quoted-printable."""
    part = EmailMessage(policy=MAIL_POLICY)
    for name, value in (
        ("Content-Type", f'text/{subtype}; charset="utf-8"'),
        ("Content-Transfer-Encoding", "quoted-printable"),
    ):
        part[name] = _header(name, value)
    encoded = binascii.b2a_qp(body.encode("utf-8"), istext=True)
    part.set_payload(encoded.decode("ascii"))
    return part
