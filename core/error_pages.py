"""The error pages in Vietnamese (poverty_tracker.urls names these views as its handlers): 400, 403 and 404
show the message of the exception when our own code raised it ("Không có xã này trong địa bàn của bạn.").
A server error is templates/500.html, which Django renders with no context; a failed CSRF check is
templates/403_csrf.html, rendered by Django's own csrf_failure view."""
from django.conf import settings
from django.core.exceptions import BadRequest
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token


def own_message(exception):
    """The exception's message if our code raised it with a text, else None: whatever Django or a library
    raised (Resolver404's dict of patterns tried, get_object_or_404's "No Household matches the given query.",
    an admin's BadRequest) is left out."""
    message = exception.args[0] if exception and exception.args else None
    if not isinstance(message, str) or not message.strip() or exception.__traceback__ is None:
        return None
    frame = exception.__traceback__
    while frame.tb_next is not None:
        frame = frame.tb_next
    package = frame.tb_frame.f_globals.get("__name__", "").partition(".")[0]
    # Shown only when raised in the project's own packages: theirs are English and may name internals.
    return message if package and (settings.BASE_DIR / package).is_dir() else None


@requires_csrf_token
def bad_request(request, exception):
    # Only a BadRequest of ours: a SuspiciousOperation (bad host, too many fields…) is for the security log.
    message = own_message(exception) if isinstance(exception, BadRequest) else None
    return render(request, "400.html", {"message": message}, status=400)


@requires_csrf_token
def permission_denied(request, exception):
    return render(request, "403.html", {"message": own_message(exception)}, status=403)


@requires_csrf_token
def page_not_found(request, exception):
    return render(request, "404.html", {"message": own_message(exception)}, status=404)
