"""Authentication endpoints: thin views over `accounts.services` (provider sign-in: `accounts.oidc_views`)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import password_reset, services, tasks
from .auth_serializers import (
    DetailSerializer,
    LoginInputSerializer,
    LogoutInputSerializer,
    OTPRequestInputSerializer,
    OTPVerifyInputSerializer,
    PasswordChangeInputSerializer,
    PasswordResetConfirmInputSerializer,
    PasswordResetRequestInputSerializer,
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
    PasswordChangeUserThrottle,
    PasswordResetClientThrottle,
    PasswordResetConfirmClientThrottle,
    PasswordResetConfirmEmailThrottle,
    PasswordResetEmailThrottle,
    RegisterClientThrottle,
    RegisterEmailThrottle,
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


def _post_documented(summary: str, *, request, responses: dict, description: str | None = None):
    """A class decorator documenting a view's POST under this module's tag."""
    operation = extend_schema(
        tags=[TAG], summary=summary, description=description, request=request, responses=responses
    )
    return extend_schema_view(post=operation)


class _AnonymousView(APIView):
    """Endpoints anyone may call: no credentials are read, so a stale header cannot break them."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get_authenticate_header(self, request):
        # A rejected credential in the body (OIDC token exchange) is a 401, as on every other endpoint.
        return 'Bearer realm="api"'


class RegisterView(_AnonymousView):
    throttle_classes = (RegisterClientThrottle, RegisterEmailThrottle)

    @extend_schema(
        tags=[TAG],
        summary="Register a customer or a merchant",
        description="An email that already has an account answers the same 201 (with an `id` that names no "
        "account); the address's owner is emailed about the attempt instead of a code.",
        request=RegisterInputSerializer,
        responses={
            201: RegisterOutputSerializer,
            400: _error("Invalid input"),
            429: _error("`throttled`: too many registrations for this email or from this client"),
        },
    )
    def post(self, request):
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        registered = {"company_name": serializer.validated_data["company_name"].strip()}
        answer = RegisterOutputSerializer(user, context=registered).data
        return Response(answer, status=status.HTTP_201_CREATED)


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


class _EmailedCodeRequestView(_AnonymousView):
    """Asks for a code by email: one answer whatever the email; the work is queued for after it."""

    input_serializer = OTPRequestInputSerializer
    answer: str
    answer_status = status.HTTP_200_OK

    def queue(self, *, email: str) -> None:
        raise NotImplementedError

    def post(self, request):
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.queue(email=serializer.validated_data["email"])
        return Response({"detail": self.answer}, status=self.answer_status)


@_post_documented(
    "Email a new verification code",
    description="Answers the same whether or not an account uses this email; the code is sent after the answer.",
    request=OTPRequestInputSerializer,
    responses={200: DetailSerializer, 429: _error("`throttled`: too many requests for this email")},
)
class OTPRequestView(_EmailedCodeRequestView):
    throttle_classes = (OTPRequestClientThrottle, OTPRequestEmailThrottle)
    answer = "If an unverified account uses this email, a new code is on its way."

    def queue(self, *, email):
        tasks.otp_request(email=email)


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
    throttle_classes = (PasswordChangeUserThrottle,)

    @extend_schema(
        tags=[TAG],
        summary="Change your password (signs out every other session)",
        request=PasswordChangeInputSerializer,
        responses={
            204: None,
            400: _error("Wrong current password or a weak new one"),
            429: _error("`throttled`: too many attempts for this account"),
        },
    )
    def post(self, request):
        serializer = PasswordChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_password_change(user=request.user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


@_post_documented(
    "Email a password-reset code",
    description="Answers 202 whatever the email; a known, active account is emailed a 6-digit code "
    "(valid 10 minutes, single use), after the answer.",
    request=PasswordResetRequestInputSerializer,
    responses={202: DetailSerializer, 429: _error("`throttled`: too many requests for this email")},
)
class PasswordResetView(_EmailedCodeRequestView):
    throttle_classes = (PasswordResetClientThrottle, PasswordResetEmailThrottle)
    input_serializer = PasswordResetRequestInputSerializer
    answer = "If an account uses this email, a code to reset its password is on its way."
    answer_status = status.HTTP_202_ACCEPTED

    def queue(self, *, email):
        tasks.password_reset_request(email=email)


_RESET_CODE_ERRORS = {
    400: _error("`invalid_otp`, `otp_expired`, or a weak new password (`validation_error`)"),
    429: _error("`otp_locked` after too many wrong codes, or `throttled`"),
}


@_post_documented(
    "Set a new password with the emailed code (signs out every session)",
    request=PasswordResetConfirmInputSerializer,
    responses={204: None, **_RESET_CODE_ERRORS},
)
class PasswordResetConfirmView(_AnonymousView):
    throttle_classes = (PasswordResetConfirmClientThrottle, PasswordResetConfirmEmailThrottle)

    def post(self, request):
        serializer = PasswordResetConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset.password_reset_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
