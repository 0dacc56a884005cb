"""core.api.errors: a PermissionDenied raised by our services keeps its words over the API (DRF's own handler
would answer its English default), and one raised without words gets ours."""
from django.core.exceptions import PermissionDenied
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied

from core.api.errors import exception_handler


def _raised(exception):
    try:
        raise exception
    except PermissionDenied as error:
        return error


def test_a_refusal_by_role_is_403_with_our_message():
    answer = exception_handler(_raised(PermissionDenied("Vai trò của bạn không được thực hiện thao tác này.")), {})
    assert answer.status_code == 403
    assert answer.data == {"detail": "Vai trò của bạn không được thực hiện thao tác này."}


def test_a_refusal_without_words_is_403_in_vietnamese():
    answer = exception_handler(_raised(PermissionDenied()), {})
    assert answer.status_code == 403 and answer.data == {"detail": "Vai trò của bạn không được thực hiện thao tác này."}
    assert exception_handler(DRFPermissionDenied("x"), {}).status_code == 403
