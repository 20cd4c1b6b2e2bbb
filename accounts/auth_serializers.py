"""Input and output shapes of the authentication endpoints and of the admin's customer list."""

from django.contrib.auth import get_user_model
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from .managers import validate_email_canonical_length
from .models import AccountType

User = get_user_model()


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, validators=[validate_email_canonical_length])
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    account_type = serializers.ChoiceField(choices=AccountType.choices)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    phone_number = PhoneNumberField(required=False, allow_blank=True, default="")
    company_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for merchant accounts.",
    )


class RegisterOutputSerializer(serializers.Serializer):
    """The same shape whether the email was free or taken (then `id` is a random one, never an account's)."""

    id = serializers.UUIDField()
    email = serializers.EmailField()
    account_type = serializers.ChoiceField(choices=AccountType.choices)
    company_name = serializers.CharField(required=False, help_text="Merchant accounts only.")

    def to_representation(self, user):
        data = {"id": str(user.id), "email": user.email, "account_type": user.account_type}
        if user.is_merchant:
            # The name registered (context), which a new merchant's row holds; a taken email has no row.
            data["company_name"] = self.context["company_name"]
        return data


class OTPVerifyInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    otp = serializers.CharField(max_length=12, help_text="The 6-digit code from the email.")


class OTPRequestInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class LoginInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class ProfileSerializer(serializers.ModelSerializer):
    """The signed-in user's own profile."""

    phone_number = PhoneNumberField(required=False, allow_blank=True, help_text="E.164, e.g. +254712345678.")

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "account_type",
            "first_name",
            "last_name",
            "phone_number",
            "default_shipping_address",
            "language",
        ]
        read_only_fields = ["id", "email", "account_type"]


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class TokenPairWithUserSerializer(TokenPairSerializer):
    user = ProfileSerializer()


class TokenRefreshInputSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class LogoutInputSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class PasswordChangeInputSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, style={"input_type": "password"})
    new_password = serializers.CharField(max_length=128, style={"input_type": "password"})


class OIDCTokenInputSerializer(serializers.Serializer):
    access_token = serializers.CharField(max_length=8192, help_text="An access token from the OIDC provider.")


class PasswordResetRequestInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    code = serializers.CharField(max_length=12, help_text="The 6-digit code from the email.")
    new_password = serializers.CharField(max_length=128, style={"input_type": "password"})


class AdminCustomerSerializer(serializers.ModelSerializer):
    phone_number = serializers.CharField(read_only=True)
    is_verified = serializers.BooleanField(source="is_email_verified", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "phone_number",
            "is_verified",
            "is_active",
            "date_joined",
        ]
        read_only_fields = fields
