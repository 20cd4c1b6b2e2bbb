"""Provider sign-in endpoints: a provider token or the browser flow's one-time code traded for our JWT pair, and
binding a provider identity to the signed-in account (any role: customers, merchants, staff)."""

import inspect
from collections.abc import Callable

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .auth_serializers import OIDCTokenInputSerializer, ProfileSerializer, TokenPairWithUserSerializer
from .auth_views import TAG, _AnonymousView, _error
from .identity_services import external_identity_bind
from .models import User
from .oidc import oidc_user_for_access_token, provider_identity_for_token
from .oidc_browser import signin_code_redeem
from .oidc_serializers import ExternalIdentitySerializer, OIDCCodeInputSerializer
from .throttles import OIDCTokenClientThrottle


def _responses(ok: dict, errors: dict[int, str]) -> dict:
    return {**ok, **{status: _error(text) for status, text in errors.items()}}


class _ProviderSignInView(_AnonymousView):
    """Trades a proof of sign-in at a provider for our JWT pair.

    Subclasses name the proof's serializer, the function turning its fields into our user, and the errors
    they answer; the docstring's first paragraph is the summary in the schema, the rest its description.
    """

    input_serializer: type[serializers.Serializer]
    signed_in_user: Callable[..., User]  # a staticmethod taking the serializer's fields
    errors: dict[int, str]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        responses = _responses({200: TokenPairWithUserSerializer}, cls.errors)
        summary, _, description = inspect.cleandoc(cls.__doc__).partition("\n\n")
        extend_schema_view(
            post=extend_schema(
                tags=[TAG],
                summary=summary,
                description=description,
                request=cls.input_serializer,
                responses=responses,
            )
        )(cls)

    def post(self, request):
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            user = self.signed_in_user(**serializer.validated_data)
            tokens = services.user_tokens_issue(user=user)
        return Response({**tokens, "user": ProfileSerializer(user).data})


class OIDCTokenView(_ProviderSignInView):
    """Exchange an identity provider's token for our JWT pair

    A Firebase ID token, an Auth0 access token, another configured issuer's JWT (verified locally), or an
    opaque token the provider's userinfo endpoint accepts.
    """

    input_serializer = OIDCTokenInputSerializer
    signed_in_user = staticmethod(oidc_user_for_access_token)
    throttle_classes = (OIDCTokenClientThrottle,)
    errors = {
        401: "`token_not_valid`: the token is not valid",
        429: "`throttled`: too many exchanges from this client",
        503: "`oidc_unavailable`: no provider answers",
    }


class OIDCCodeExchangeView(_ProviderSignInView):
    """Exchange the one-time code of browser sign-in for our JWT pair

    Browser sign-in at /oidc/authenticate/ ends at OIDC_SIGNIN_REDIRECT_URL with `?code=`; the code is single-use
    and lives OIDC_SIGNIN_CODE_SECONDS (60 s).
    """

    input_serializer = OIDCCodeInputSerializer
    signed_in_user = staticmethod(signin_code_redeem)
    errors = {400: "`invalid_code`: unknown, already used or expired", 401: "`user_inactive`"}


class ExternalIdentityView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=[TAG],
        summary="The identity-provider accounts that sign in to your account",
        responses={200: ExternalIdentitySerializer(many=True)},
    )
    def get(self, request):
        return Response(ExternalIdentitySerializer(request.user.external_identities.all(), many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="Bind a provider account to yours, so its tokens sign in as you",
        description="For tokens that carry no verified email (e.g. Auth0 API access tokens), and for merchants "
        "and staff who sign in with a provider. Binding an identity you already hold answers 200.",
        request=OIDCTokenInputSerializer,
        responses=_responses(
            {200: ExternalIdentitySerializer, 201: ExternalIdentitySerializer},
            {
                401: "`token_not_valid`: the provider token is not valid",
                409: "`identity_in_use`: it already signs in to another account",
                503: "`oidc_unavailable`: the provider cannot be reached or none is configured",
            },
        ),
    )
    def post(self, request):
        serializer = OIDCTokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        identity = provider_identity_for_token(access_token=serializer.validated_data["access_token"])
        bound, created = external_identity_bind(
            user=request.user, issuer=identity.issuer, subject=identity.subject
        )
        return Response(
            ExternalIdentitySerializer(bound).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
