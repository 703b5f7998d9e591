from django.apps import AppConfig, apps
from django.db import models

# The project's own apps; third-party models (sessions, tokens, axes logs) keep their own rules.
PROJECT_APPS = ("accounts", "products", "approvals", "lifecycle", "requirements", "kpis", "notifications")
# Hashes and identifiers the server writes, never typed text.
NOT_TYPED_TEXT = {"password"}


class BankpmConfig(AppConfig):
    name = "bankpm"
    verbose_name = "BankPM"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        attach_single_line_validator()
        # Whatever the sign-in path (password, LDAP, OpenID Connect), the language saved on the user follows them into
        # the session; bankpm.middleware applies it when the browser has no language cookie.
        user_logged_in.connect(remember_language, dispatch_uid="bankpm-remember-language")


def remember_language(sender, request, user, **kwargs):
    language = getattr(user, "language", None)
    if request is not None and hasattr(request, "session") and language:
        from .middleware import SESSION_LANGUAGE

        request.session[SESSION_LANGUAGE] = language


def single_line_fields():
    """Every single-line text field a person types: CharFields of the project's models, without choices."""
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField) and not field.choices and field.name not in NOT_TYPED_TEXT:
                yield field


def attach_single_line_validator() -> None:
    """One validator for all apps (bankpm.validators), added where model validation, forms, the admin and the API
    serializers all read it (`field.validators`); the declared `_validators` are left alone, so migrations do not
    change."""
    from .validators import validate_single_line

    for field in single_line_fields():
        if validate_single_line not in field.validators:
            field.validators.append(validate_single_line)
