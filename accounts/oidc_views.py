"""Provider sign-in endpoints beside `POST /api/v1/auth/oidc/token/`: the browser flow's code exchange, and
binding a provider identity to the signed-in account (any role: customers, merchants, staff)."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .auth_serializers import OIDCTokenInputSerializer, ProfileSerializer, TokenPairWithUserSerializer
from .auth_views import TAG, _AnonymousView, _error
from .identity_services import external_identity_bind
from .oidc import provider_identity_for_token
from .oidc_browser import signin_code_redeem
from .oidc_serializers import ExternalIdentitySerializer, OIDCCodeInputSerializer


class OIDCCodeExchangeView(_AnonymousView):
    @extend_schema(
        tags=[TAG],
        summary="Exchange the one-time code of browser sign-in (/oidc/authenticate/) for our JWT pair",
        request=OIDCCodeInputSerializer,
        responses={
            200: TokenPairWithUserSerializer,
            400: _error("`invalid_code`: unknown, already used or expired"),
            401: _error("`user_inactive`"),
        },
    )
    def post(self, request):
        serializer = OIDCCodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            user = signin_code_redeem(code=serializer.validated_data["code"])
            tokens = services.user_tokens_issue(user=user)
        return Response({**tokens, "user": ProfileSerializer(user).data})


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
        responses={
            200: ExternalIdentitySerializer,
            201: ExternalIdentitySerializer,
            401: _error("`token_not_valid`: the provider token is not valid"),
            409: _error("`identity_in_use`: it already signs in to another account"),
            503: _error("`oidc_unavailable`: the provider cannot be reached or none is configured"),
        },
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
