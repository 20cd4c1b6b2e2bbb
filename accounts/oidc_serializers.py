"""Input and output shapes of the provider sign-in endpoints (code exchange, identity binding)."""

from rest_framework import serializers

from .models import ExternalIdentity


class OIDCCodeInputSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=200, help_text="The one-time code browser sign-in appended to the redirect URL."
    )


class ExternalIdentitySerializer(serializers.ModelSerializer):
    class Meta:
        model = ExternalIdentity
        fields = ["issuer", "subject", "created_at"]
