"""Where a webhook may deliver: public addresses only, checked at registration and on send.

A URL whose host is or resolves to a loopback, private, link-local or otherwise non-public
address is refused, unless the webhook was registered with `allow_private`. Every address
the host resolves to is checked, and the sender (engine/webhooks/delivery.py) connects to the very
address that was checked, so DNS rebinding cannot slip a private one in. IPv6 forms that
carry an IPv4 address inside (IPv4-compatible, IPv4-translated, NAT64, 6to4) are judged by
that IPv4 address too.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from engine.errors import render

SCHEMES = ("http", "https")


class UnsafeTarget(ValueError):
    """A URL that may not receive deliveries: its reason is a code of engine/codes.py.

    The message is the code's English sentence; `code` and `params` make the Problem.
    """

    def __init__(self, code: str, **params: Any):
        self.code = code
        self.params = params
        super().__init__(render(code, params))


# IPv6 prefixes whose last 32 bits are an IPv4 address a packet may end up at: IPv4-
# compatible (::a.b.c.d, deprecated but still routed by some stacks), SIIT's IPv4-translated
# (::ffff:0:a.b.c.d) and NAT64's well-known prefix (64:ff9b::a.b.c.d). 6to4 (2002::/16)
# carries its IPv4 address in bits 16-48 and `ipaddress` reads it as `sixtofour`.
EMBEDDING = tuple(
    ipaddress.ip_network(prefix) for prefix in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96")
)
# NAT64 for local use (RFC 8215): the IPv4 address may sit anywhere, so none of it is public.
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries inside, when its prefix says it carries one."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in network for network in EMBEDDING):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether a delivery may connect here: global, not multicast, nor a private IPv4 inside.

    An IPv6 form carrying a loopback or private IPv4 address (`::127.0.0.1`,
    `64:ff9b::10.0.0.1`, `2002:7f00:1::`) reaches that IPv4 host through a translator, so
    it is judged by the address it carries.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address in LOCAL_NAT64:
            return False
        inner = _embedded_ipv4(address)
        if inner is not None and not _public(inner):
            return False
    return address.is_global and not address.is_multicast


def resolve_target(url: str, *, allow_private: bool = False) -> list[tuple[str, int]]:
    """The (address, port) pairs a delivery to `url` may connect to; UnsafeTarget otherwise.

    Every address the host resolves to must be public unless `allow_private`: one private
    answer among public ones is refused too, since a connection could pick it.
    """
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise UnsafeTarget("url_scheme")
    if not parts.hostname:
        raise UnsafeTarget("url_no_host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeTarget("url_port") from None
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeTarget("host_unresolved", host=parts.hostname, detail=str(error)) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        for text in addresses:
            if not _public(ipaddress.ip_address(text.split("%", 1)[0])):
                raise UnsafeTarget("private_address", host=parts.hostname, address=text)
    return [(address, port) for address in addresses]


def check_url(url: str, *, allow_private: bool = False) -> None:
    """Refuse a URL that is malformed or points at a non-public address (see resolve_target).

    A host that does not resolve at all is accepted: it may exist by the first delivery,
    which checks again.
    """
    if len(url) > 2000:
        raise UnsafeTarget("url_too_long", limit=2000)
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise UnsafeTarget("url_credentials")
    try:
        resolve_target(url, allow_private=allow_private)
    except UnsafeTarget as error:
        if error.code != "host_unresolved":
            raise
