"""An admin list filter by a related object that scales to thousands of them: the admin's own autocomplete
(select2 asking /admin/autocomplete/ as the operator types, through the related admin's search) instead of
a link per related row. Only the chosen object is read to show its name."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect


class AutocompleteFilter(admin.FieldListFilter):
    """`list_filter = [("merchant", AutocompleteFilter)]`; the related model's admin needs `search_fields`,
    and the ModelAdmin the `AutocompleteFilterMedia` mixin (the widget's scripts)."""

    template = "admin/autocomplete_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg = f"{field_path}__{field.target_field.name}__exact"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = f"{field.verbose_name}"
        value = self.used_parameters.get(self.lookup_kwarg)
        self.value = value[-1] if isinstance(value, list) and value else value
        # A form field only to render its widget: it reads the one chosen object, never the whole table.
        self.widget = forms.ModelChoiceField(
            queryset=field.remote_field.model._default_manager.all(),
            required=False,
            widget=AutocompleteSelect(
                field, model_admin.admin_site, attrs={"data-placeholder": "Type to find"}
            ),
        ).widget

    def expected_parameters(self):
        return [self.lookup_kwarg]

    def choices(self, changelist):
        # The other filters' parameters ride along as hidden fields of the filter's form.
        others = [(k, v) for k, v in changelist.params.items() if k != self.lookup_kwarg]
        yield {
            "selected": self.value is None,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg]),
            "display": "All",
            "others": others,
            "select": self.widget.render(
                self.lookup_kwarg, self.value, attrs={"id": f"filter-{self.field_path}"}
            ),
            "parameter": self.lookup_kwarg,
        }


class AutocompleteFilterMedia:
    """A ModelAdmin mixin: the autocomplete widget's scripts and styles on its list page."""

    @property
    def media(self):
        return super().media + AutocompleteSelect(None, self.admin_site).media
