"""A comment's text as HTML: every character escaped, each bare http(s) address a link.

Users paste links into comments, so an address that starts with `http://` or `https://`
becomes an `<a>` with `rel="noopener nofollow ugc"` (the site vouches for none of them);
nothing else is ever markup, so `javascript:`, HTML, markdown and template braces stay
text. The line breaks stay as typed: the template's CSS keeps them (white-space: pre-wrap).
Only the characters a URL may hold are taken (RFC 3986), so an address typed right before
Chinese text or a closing bracket or full stop ends where the address ends.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.IGNORECASE)
TRAILING = ".,;:!?'"  # sentence punctuation after an address is not part of it
OPENING = {")": "(", "]": "["}  # a closing bracket is the address's only if it opened one
REL = "noopener nofollow ugc"


def _end(url: str) -> str:
    """`url` without the punctuation and the unopened closing brackets that follow it."""
    while url:
        last = url[-1]
        unopened = last in OPENING and url.count(last) > url.count(OPENING[last])
        if last not in TRAILING and not unopened:
            break
        url = url[:-1]
    return url


def comment_html(text: str) -> Markup:
    """`text` escaped, with each bare http(s) address made a link to itself."""
    out: list[str] = []
    done = 0
    for match in URL.finditer(text):
        url = _end(match.group(0))
        if len(url) <= len(url.split("://", 1)[0]) + 3:  # a scheme and nothing after it
            continue
        start = match.start()
        out.append(escape(text[done:start]))
        out.append(f'<a href="{escape(url)}" rel="{REL}">{escape(url)}</a>')
        done = start + len(url)
    out.append(escape(text[done:]))
    return Markup("".join(out))
