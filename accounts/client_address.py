"""The client's network address, for login lockout (django-axes) and API throttling.

REMOTE_ADDR is the peer that opened the connection. X-Forwarded-For is believed only when that peer is one
of settings.TRUSTED_PROXIES (env DJANGO_TRUSTED_PROXIES: addresses or networks such as 10.0.0.0/24), and
then only as far as it was written by trusted proxies: the header is read from the right, skipping trusted
proxies, and the first other address is the client. Anything further left was sent by the client itself
and may be forged. With no trusted proxy (the default) the header is ignored altogether.
"""
import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def parse_address(value):
    """An ip_address from "1.2.3.4", "1.2.3.4:5678", "[2001:db8::1]:443" or "2001:db8::1"; None if it is none."""
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # IPv4 with a port (IPv6 has at least two colons)
        value = value.split(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:  # ::ffff:10.0.0.2 from a dual-stack socket
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=16)
def trusted_networks(entries):
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"DJANGO_TRUSTED_PROXIES: {entry!r} is not an IP address or network ({error})."
            ) from error
    return tuple(networks)


def _trusted(address, networks):
    return any(address.version == network.version and address in network for network in networks)


def client_ip(request):
    """The client's address as a string (None without REMOTE_ADDR). Works with Django's and DRF's requests."""
    remote = request.META.get("REMOTE_ADDR") or None
    address = parse_address(remote)
    if address is None:
        return remote
    networks = trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(address, networks):
        return str(address)
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        hop_address = parse_address(hop)
        if hop_address is None:
            break  # a trusted proxy passed on something that is no address: keep the last one known
        address = hop_address
        if not _trusted(address, networks):
            break
    return str(address)


@checks.register(checks.Tags.security)
def check_trusted_proxies(app_configs=None, **kwargs):
    try:
        trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="accounts.E001")]
    return []
