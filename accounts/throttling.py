"""DRF throttles that identify an anonymous client by accounts.client_address.client_ip.

DRF's own get_ident() believes any X-Forwarded-For when NUM_PROXIES is unset, so a client rotating that
header had a fresh allowance on every request.
"""
from rest_framework import throttling

from accounts.client_address import client_ip


class ClientAddressMixin:
    def get_ident(self, request):
        return client_ip(request)


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    pass
