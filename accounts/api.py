"""POST /api/v1/auth/token/ {"username", "password"} -> {"token"}; through django-axes like the login page."""
from django.contrib.auth import authenticate
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.lockout import lockout_message
from accounts.throttling import AnonRateThrottle


class Credentials(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class ObtainToken(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]
    serializer_class = Credentials

    def post(self, request):
        credentials = Credentials(data=request.data)
        credentials.is_valid(raise_exception=True)
        # authenticate() with the request: django-axes counts failures and refuses locked accounts and addresses
        user = authenticate(request=request._request, **credentials.validated_data)
        if getattr(request._request, "axes_locked_out", False):
            return Response({"detail": lockout_message(request._request)}, status=429)
        if user is None or not user.is_active:
            return Response({"non_field_errors": ["Tên đăng nhập hoặc mật khẩu không đúng."]}, status=400)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
