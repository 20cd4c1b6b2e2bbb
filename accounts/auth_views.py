"""Authentication endpoints: thin views over `accounts.services` (provider sign-in: `accounts.oidc_views`)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .auth_serializers import (
    DetailSerializer,
    LoginInputSerializer,
    LogoutInputSerializer,
    OTPRequestInputSerializer,
    OTPVerifyInputSerializer,
    PasswordChangeInputSerializer,
    ProfileSerializer,
    RegisterInputSerializer,
    RegisterOutputSerializer,
    TokenPairSerializer,
    TokenPairWithUserSerializer,
    TokenRefreshInputSerializer,
)
from .throttles import (
    LoginClientThrottle,
    LoginEmailThrottle,
    OTPRequestClientThrottle,
    OTPRequestEmailThrottle,
    OTPVerifyClientThrottle,
    OTPVerifyEmailThrottle,
)

TAG = "auth"

_ERROR = inline_serializer(
    "AccountsError",
    fields={
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "errors": serializers.DictField(
            required=False, child=serializers.ListField(child=serializers.CharField())
        ),
    },
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=_ERROR, description=description)


class _AnonymousView(APIView):
    """Endpoints anyone may call: no credentials are read, so a stale header cannot break them."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get_authenticate_header(self, request):
        # A rejected credential in the body (OIDC token exchange) is a 401, as on every other endpoint.
        return 'Bearer realm="api"'


class RegisterView(_AnonymousView):
    @extend_schema(
        tags=[TAG],
        summary="Register a customer or a merchant",
        request=RegisterInputSerializer,
        responses={201: RegisterOutputSerializer, 400: _error("Invalid input or email already registered")},
    )
    def post(self, request):
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        return Response(RegisterOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class OTPVerifyView(_AnonymousView):
    throttle_classes = (OTPVerifyClientThrottle, OTPVerifyEmailThrottle)

    @extend_schema(
        tags=[TAG],
        summary="Verify the email address with the emailed code",
        request=OTPVerifyInputSerializer,
        responses={
            200: DetailSerializer,
            400: _error("`invalid_otp` or `otp_expired`"),
            429: _error("`otp_locked` after too many wrong codes, or `throttled`"),
        },
    )
    def post(self, request):
        serializer = OTPVerifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.otp_verify(email=serializer.validated_data["email"], code=serializer.validated_data["otp"])
        return Response({"detail": "Your email address is verified."})


class OTPRequestView(_AnonymousView):
    throttle_classes = (OTPRequestClientThrottle, OTPRequestEmailThrottle)

    @extend_schema(
        tags=[TAG],
        summary="Email a new verification code",
        description="Answers the same whether or not an account uses this email.",
        request=OTPRequestInputSerializer,
        responses={200: DetailSerializer, 429: _error("`throttled`: too many requests for this email")},
    )
    def post(self, request):
        serializer = OTPRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.otp_request(email=serializer.validated_data["email"])
        return Response({"detail": "If an unverified account uses this email, a new code is on its way."})


class LoginView(_AnonymousView):
    throttle_classes = (LoginClientThrottle, LoginEmailThrottle)

    @extend_schema(
        tags=[TAG],
        summary="Log in with email and password",
        request=LoginInputSerializer,
        responses={
            200: TokenPairWithUserSerializer,
            401: _error("`invalid_credentials`"),
            403: _error("`email_not_verified`"),
            429: _error("`throttled`"),
        },
    )
    def post(self, request):
        serializer = LoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_login(request=request, **serializer.validated_data)
        tokens = services.user_tokens_issue(user=user)
        return Response({**tokens, "user": ProfileSerializer(user).data})


class TokenRefreshView(_AnonymousView):
    @extend_schema(
        tags=[TAG],
        summary="Exchange a refresh token for a new pair (the old refresh token is blacklisted)",
        request=TokenRefreshInputSerializer,
        responses={200: TokenPairSerializer, 401: _error("`token_not_valid`: invalid, expired or used")},
    )
    def post(self, request):
        serializer = TokenRefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(services.token_refresh_rotate(refresh=serializer.validated_data["refresh"]))


class LogoutView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=[TAG],
        summary="Log out: the given refresh token can no longer be used",
        request=LogoutInputSerializer,
        responses={204: None, 400: _error("Invalid refresh token"), 401: _error("Not authenticated")},
    )
    def post(self, request):
        serializer = LogoutInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_logout(user=request.user, refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(tags=[TAG], summary="Your profile", responses={200: ProfileSerializer, 401: _error("")})
    def get(self, request):
        return Response(ProfileSerializer(request.user).data)

    @extend_schema(
        tags=[TAG],
        summary="Update your profile",
        request=ProfileSerializer(partial=True),
        responses={200: ProfileSerializer, 400: _error("Invalid input (e.g. a bad phone number)")},
    )
    def patch(self, request):
        serializer = ProfileSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_profile_update(user=request.user, data=serializer.validated_data)
        return Response(ProfileSerializer(user).data)


class PasswordChangeView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=[TAG],
        summary="Change your password (signs out every other session)",
        request=PasswordChangeInputSerializer,
        responses={204: None, 400: _error("Wrong current password or a weak new one")},
    )
    def post(self, request):
        serializer = PasswordChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_password_change(user=request.user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
