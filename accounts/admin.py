"""Django admin: users (email login) and the audit of issued email codes."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from core.phone import phone_search_term

from .models import EmailOTP, User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users sign in with their email; there is no username."""

    form = UserEditForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password", "account_type")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "phone_number", "default_shipping_address")},
        ),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_email_verified",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "account_type", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "account_type", "first_name", "last_name", "is_email_verified", "is_staff")
    list_filter = ("account_type", "is_email_verified", "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "first_name", "last_name", "phone_number")
    ordering = ("-date_joined",)

    def get_search_results(self, request, queryset, search_term):
        """Django's search, and a phone number typed as `0712 345 678` or `712345678` found as stored (E.164)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        phone = phone_search_term(search_term)
        if phone and phone != search_term.strip():
            found = found | queryset.filter(phone_number__icontains=phone)
        return found, may_have_duplicates


@admin.register(EmailOTP)
class EmailOTPAdmin(admin.ModelAdmin):
    """Read-only audit of issued codes (only hashes are stored)."""

    list_display = ("user", "created_at", "expires_at", "attempts", "used_at")
    search_fields = ("user__email",)
    exclude = ("code_hash",)
    readonly_fields = ("user", "created_at", "expires_at", "attempts", "used_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
