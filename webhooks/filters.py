import django_filters
from django import forms

from .models import WebhookDelivery


class _IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class WebhookDeliveryFilter(django_filters.FilterSet):
    outcome = django_filters.ChoiceFilter(
        choices=[("accepted", "accepted"), ("rejected", "rejected")],
        method="filter_outcome",
        help_text="accepted: answered 2xx; rejected: answered with an error",
    )
    status_code = _IntegerFilter(min_value=100, max_value=599)

    class Meta:
        model = WebhookDelivery
        fields = ["outcome", "status_code"]

    def filter_outcome(self, queryset, name, value):
        accepted = {"status_code__gte": 200, "status_code__lt": 300}
        if value == "accepted":
            return queryset.filter(**accepted)
        return queryset.filter(status_code__isnull=False).exclude(**accepted)
