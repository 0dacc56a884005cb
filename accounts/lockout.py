"""Login lockout (django-axes): two limits, and what a locked-out login sees.

- AXES_FAILURE_LIMIT wrong passwords for one username from one address lock that username there;
- AXES_ADDRESS_FAILURE_LIMIT wrong passwords from one address, whatever the usernames, lock every login
  from that address (password spraying: one guess for each of many accounts).

Both count the failures of the last AXES_COOLOFF_TIME. django-axes itself applies a single limit to every
lockout parameter combination, hence the handler below (settings.AXES_HANDLER). The address is
accounts.client_address.client_ip (settings.AXES_CLIENT_IP_CALLABLE).
"""
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render

MESSAGE = "Đăng nhập sai quá nhiều lần: tài khoản tạm khoá 30 phút để bảo vệ dữ liệu."
ADDRESS_MESSAGE = (
    "Có quá nhiều lần đăng nhập sai từ địa chỉ mạng này: tạm ngừng đăng nhập từ địa chỉ này 30 phút "
    "để bảo vệ dữ liệu."
)
DEFAULT_ADDRESS_FAILURE_LIMIT = 20


def address_failure_limit():
    return getattr(settings, "AXES_ADDRESS_FAILURE_LIMIT", DEFAULT_ADDRESS_FAILURE_LIMIT)


class AccountAndAddressHandler(AxesDatabaseHandler):
    """AxesDatabaseHandler with a per-account limit and a larger per-address limit.

    A successful login clears only that account's failures from that address, not the address's
    failures on other usernames: a sprayer holding one real account cannot reset the address count.
    """

    def filter_user_attempts(self, request, credentials=None):
        """[this username from this address, any username from this address]."""
        from_address = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        return [from_address.filter(username=get_client_username(request, credentials)), from_address]

    def get_failures(self, request, credentials=None):
        """The failures that count against AXES_FAILURE_LIMIT: the account's, or the limit itself once the
        address has reached its own limit. The request learns which limit was hit (lockout_response)."""
        account, address = (
            attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = get_failure_limit(request, credentials)
        # No address (REMOTE_ADDR empty, e.g. a unix socket without a trusted proxy): every client would share
        # one count, and 20 typos anywhere would lock everybody out; only the per-account limit applies then.
        if request.axes_ip_address and address >= address_failure_limit():
            request.axes_locked_by = "address"
            return max(account, limit)
        request.axes_locked_by = "account" if account >= limit else None
        return account

    def reset_user_attempts(self, request, credentials=None):
        account_attempts, _ = self.filter_user_attempts(request, credentials)
        count, _ = account_attempts.delete()
        return count


def lockout_message(request):
    return ADDRESS_MESSAGE if getattr(request, "axes_locked_by", None) == "address" else MESSAGE


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    """What a locked-out login sees: the page for browsers, {"detail"} for API clients (AXES_LOCKOUT_CALLABLE)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message(request)}, status=429)
    if getattr(request, "axes_locked_by", None) == "address":
        return render(request, "accounts/address_locked_out.html", {"message": ADDRESS_MESSAGE}, status=429)
    return render(request, "registration/locked_out.html", status=429)
