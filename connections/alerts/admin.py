"""Alerts in the Django admin (hub staff): read-only alerts with an acknowledge action, and
each tenant's alert settings with the webhook secret write-only."""

from django import forms
from django.contrib import admin, messages

from connections.admin import HubStaffAdmin, ReadOnlyHubStaffAdmin

from .models import Alert, AlertSettings
from .services import MIN_SECRET_LENGTH, alert_acknowledge
from .webhook import webhook_url_problem


@admin.register(Alert)
class AlertAdmin(ReadOnlyHubStaffAdmin):
    list_display = ["condition", "tenant", "connection", "key", "state", "last_seen_at",
                    "acknowledged_by"]  # fmt: skip
    list_filter = ["state", "condition", "tenant"]
    search_fields = ["message", "key", "connection__name", "tenant__name"]
    list_select_related = ["tenant", "connection", "acknowledged_by"]
    actions = ["acknowledge"]

    @admin.action(description="Acknowledge the selected alerts")
    def acknowledge(self, request, queryset):
        for alert in queryset:
            alert_acknowledge(alert=alert, user=request.user)
        self.message_user(request, f"Acknowledged {queryset.count()} alert(s).", messages.SUCCESS)


class AlertSettingsForm(forms.ModelForm):
    webhook_url = forms.URLField(required=False, max_length=500, assume_scheme="https")
    webhook_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Write-only. Leave blank to keep the stored secret.",
    )

    class Meta:
        model = AlertSettings
        fields = ["tenant", "email_enabled", "webhook_url", "webhook_secret", "period_minutes",
                  "stock_drift_threshold"]  # fmt: skip

    def clean_webhook_url(self):
        url = self.cleaned_data["webhook_url"].strip()
        problem = webhook_url_problem(url) if url else None
        if problem:
            raise forms.ValidationError(problem)
        return url

    def clean_webhook_secret(self):
        secret = self.cleaned_data["webhook_secret"].strip()
        if secret and len(secret) < MIN_SECRET_LENGTH:
            raise forms.ValidationError(f"Use at least {MIN_SECRET_LENGTH} characters.")
        return secret or self.instance.webhook_secret  # blank keeps the stored one

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("webhook_url") and not cleaned.get("webhook_secret"):
            self.add_error("webhook_secret", "A webhook URL needs a secret to sign alerts with.")
        return cleaned


@admin.register(AlertSettings)
class AlertSettingsAdmin(HubStaffAdmin):
    form = AlertSettingsForm
    list_display = ["tenant", "email_enabled", "webhook_url", "period_minutes"]
    list_select_related = ["tenant"]
    autocomplete_fields = ["tenant"]
