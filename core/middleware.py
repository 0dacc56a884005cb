"""Pages and admin: a database refusal (core.db_refusals) that reached the view's edge answers 409 with what to
do, in Vietnamese, instead of a server error. The API answers the same through its exception handler."""
import logging

from django.http import JsonResponse
from django.shortcuts import render

from core.db_refusals import REFUSAL_MESSAGE, is_refusal

log = logging.getLogger(__name__)


class DatabaseRefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_refusal(exception):
            return None
        log.warning("database refused %s %s: %s", request.method, request.path, exception)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": REFUSAL_MESSAGE}, status=409)
        return render(request, "409.html", {"message": REFUSAL_MESSAGE}, status=409)
