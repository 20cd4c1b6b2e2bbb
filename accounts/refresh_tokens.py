"""Refresh tokens in families, with reuse detection (OAuth 2.0 Security BCP, "refresh token rotation").

Each sign-in starts a family; every token rotated out of it carries the family's id (claim `fam`). A refresh
token rotates once: the old one is blacklisted and its successor issued. Presenting an already-rotated token
again means two parties hold the family (a stolen token, or a leaked one), so the whole family is revoked:
every token of it stops refreshing and the user signs in again.

Grace: a rotated token presented again within REFRESH_TOKEN_REUSE_GRACE_SECONDS of its rotation is refused
(401 `token_not_valid`, as always) but does not revoke the family. That is what a client firing two refreshes
at once (two tabs, a retry after a lost answer) looks like; the winner's new token keeps working. A replay
after the grace revokes the family.

Access tokens already issued are not revoked by a family revocation; they expire within
ACCESS_TOKEN_LIFETIME (15 minutes by default).
"""

import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch, get_md5_hash_password

from .models import RefreshTokenFamily, User

FAMILY_CLAIM = "fam"


class FamilyRefreshToken(RefreshToken):
    """A refresh token that names its family. The family id is not copied into access tokens."""

    no_copy_claims = (*RefreshToken.no_copy_claims, FAMILY_CLAIM)

    def verify(self, *args, **kwargs):
        # Signature, expiry and type only: `refresh_token_rotate` checks the blacklist itself, under a row
        # lock, because a blacklisted token is exactly what reuse detection must look at.
        Token.verify(self, *args, **kwargs)


def _outstand(*, token: FamilyRefreshToken, user: User) -> None:
    OutstandingToken.objects.create(
        user=user,
        jti=token[jwt_settings.JTI_CLAIM],
        token=str(token),
        created_at=token.current_time,
        expires_at=datetime_from_epoch(token["exp"]),
    )


def refresh_tokens_issue(*, user: User) -> dict:
    """A new family for `user` (one sign-in) and its first pair: `{"access", "refresh"}`."""
    family = RefreshTokenFamily.objects.create(user=user)
    # What RefreshToken.for_user does, plus the family claim before the token is recorded as outstanding.
    token = FamilyRefreshToken()
    token[jwt_settings.USER_ID_CLAIM] = str(getattr(user, jwt_settings.USER_ID_FIELD))
    if jwt_settings.CHECK_REVOKE_TOKEN:
        token[jwt_settings.REVOKE_TOKEN_CLAIM] = get_md5_hash_password(user.password)
    token[FAMILY_CLAIM] = str(family.pk)
    _outstand(token=token, user=user)
    return {"access": str(token.access_token), "refresh": str(token)}


def _family_id(token: FamilyRefreshToken) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(token.get(FAMILY_CLAIM)))
    except ValueError:
        return None  # issued before families existed: it starts one when it rotates


def refresh_token_rotate(*, refresh: str) -> dict:
    """A new pair for a refresh token, which is blacklisted: each refresh token rotates once, even
    concurrently. Reuse of a rotated token after the grace revokes its whole family."""
    not_valid = InvalidToken("Token is blacklisted")
    try:
        token = FamilyRefreshToken(refresh)  # signature, expiry, type
    except TokenError as exc:
        raise InvalidToken(exc.args[0]) from exc
    jti = token[jwt_settings.JTI_CLAIM]
    family_id = _family_id(token)
    now = timezone.now()
    failure = None
    with transaction.atomic():
        # Concurrent refreshes of one token queue here; the later ones then find it blacklisted.
        list(OutstandingToken.objects.select_for_update().filter(jti=jti).order_by())
        family = (
            RefreshTokenFamily.objects.select_for_update().filter(pk=family_id).first() if family_id else None
        )
        rotated_at = BlacklistedToken.objects.filter(token__jti=jti).values_list("blacklisted_at", flat=True)
        rotated_at = rotated_at.first()
        if rotated_at is not None:
            grace = settings.REFRESH_TOKEN_REUSE_GRACE_SECONDS
            if (
                family is not None
                and family.revoked_at is None
                and (now - rotated_at).total_seconds() > grace
            ):
                family.revoked_at = now
                family.revoked_because = "reuse"
                family.save(update_fields=["revoked_at", "revoked_because"])
            failure = not_valid  # raised after the block, so the revocation is committed
        elif family_id is not None and (family is None or family.revoked_at is not None):
            failure = not_valid
        else:
            user = User.objects.filter(pk=token.get(jwt_settings.USER_ID_CLAIM)).first()
            if user is None or not user.is_active:
                raise AuthenticationFailed(
                    "No active account found for the given token.", code="user_inactive"
                )
            if family is None:
                family = RefreshTokenFamily.objects.create(user=user)
                token[FAMILY_CLAIM] = str(family.pk)
            access = str(token.access_token)
            token.blacklist()
            token.set_jti()
            token.set_exp()
            token.set_iat()
            _outstand(token=token, user=user)
    if failure is not None:
        raise failure
    return {"access": access, "refresh": str(token)}


def refresh_tokens_revoke_all(*, user: User, because: str) -> None:
    """Every refresh token of `user` stops working (password changed or reset)."""
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
    RefreshTokenFamily.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_because=because
    )
