"""What a locked-out login sees: the page for browsers, {"detail"} for API clients (django-axes callable)."""
from django.http import JsonResponse
from django.shortcuts import render

MESSAGE = "Đăng nhập sai quá nhiều lần: tài khoản tạm khoá 30 phút để bảo vệ dữ liệu."


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": MESSAGE}, status=429)
    return render(request, "registration/locked_out.html", status=429)
