"""Errors over HTTP: bad input 400 with fields, locked round, stale version or a database busy with another
writer 409, never a 500 for input."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from core.db_refusals import REFUSAL_MESSAGE, is_refusal
from core.error_pages import own_message
from core.errors import ConflictError


class Conflict(APIException):
    status_code = 409
    default_detail = "Xung đột dữ liệu."
    default_code = "conflict"


def django_errors_to_drf(error):
    if hasattr(error, "error_dict"):
        return ValidationError({field if field != "__all__" else "non_field_errors": messages
                                for field, messages in error.message_dict.items()})
    return ValidationError({"non_field_errors": error.messages})


def exception_handler(exc, context):
    """Service errors keep their meaning over HTTP: bad input 400 with fields, locked round and stale
    version 409, never a 500 for something the client sent."""
    if isinstance(exc, ConflictError):
        exc = Conflict(str(exc))
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        exc = Conflict("Không xoá được: bản ghi này còn dữ liệu liên quan (kết quả rà soát, hỗ trợ…).")
    elif isinstance(exc, DjangoValidationError):
        exc = django_errors_to_drf(exc)
    elif isinstance(exc, DjangoPermissionDenied):  # a refusal by role: 403 with our words (DRF would drop them)
        exc = PermissionDenied(own_message(exc) or "Vai trò của bạn không được thực hiện thao tác này.")
    elif isinstance(exc, Http404):  # get_object_or_404's English text never reaches the client; ours does
        exc = NotFound(own_message(exc))
    elif isinstance(exc, DatabaseError) and is_refusal(exc):  # another writer held the rows: nothing was saved
        exc = Conflict(REFUSAL_MESSAGE)
    elif isinstance(exc, IntegrityError):
        exc = ValidationError({"non_field_errors": ["Dữ liệu trùng hoặc không hợp lệ với dữ liệu đã có."]})
    return drf_exception_handler(exc, context)
