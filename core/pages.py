"""Page plumbing shared by the apps: a service's refusal on a page, and the form page whose service decides.

A service refuses with Django's `ValidationError` (bad input), `PermissionDenied` (not this user) or a
`DomainConflict` (not in this state). On a page:
- a form shows it (`core.errors.add_form_errors`), as it shows its own errors, or with 409 for a conflict; a refusal
  of the user is the 403 page (`ServiceFormView`);
- a button that redirects shows it as messages (`flash_error`);
- a script's POST gets the API's error body and status (`error_json`): `{"detail", "code"}` 409, `{"detail"}` 403,
  field-keyed 400 — one shape, read by `BankPM.errorText` (static/js/bankpm.js).
"""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from bankpm.uploads import column_titled

from .errors import (
    DOMAIN_ERRORS,
    BulkValidationError,
    DomainConflict,
    FieldValidationError,
    add_form_errors,
    error_messages,
)


def error_status(error: Exception) -> int:
    if isinstance(error, DomainConflict):
        return 409
    if isinstance(error, PermissionDenied):
        return 403
    return 400


def error_body(error: Exception) -> dict:
    """The API's body of a refusal (bankpm.api.exceptions): a conflict `{"detail", "code"[, "field"]}`, a refused
    user `{"detail"}`, invalid input keyed by field (`non_field_errors` for the rest)."""
    if isinstance(error, DomainConflict):
        body = {"detail": error.message, "code": error.code} if error.code else {"detail": error.message}
        if error.field:
            body["field"] = error.field
        return {**body, **getattr(error, "extra", {})}
    if isinstance(error, FieldValidationError):
        return dict(error.errors)
    if isinstance(error, BulkValidationError):
        return {"errors": error.errors}
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return {("non_field_errors" if key == "__all__" else key): value
                    for key, value in error.message_dict.items()}
        return {"non_field_errors": error.messages}
    return {"detail": error_messages(error)[0]}


def error_json(error: Exception) -> JsonResponse:
    """A page endpoint's refusal, for the script that posted: the API's body and status."""
    return JsonResponse(error_body(error), status=error_status(error), json_dumps_params={"ensure_ascii": False})


def upload_row_errors(error: BulkValidationError, titles: dict | None = None) -> dict:
    """A refused spreadsheet upload for its page: the first 200 rows' errors numbered as a spreadsheet shows them
    (the header is row 1), each column named by its title when `titles` are given, and how many rows failed."""
    rows = [{"row": item["index"] + 2, "errors": column_titled(item["errors"], titles) if titles else item["errors"]}
            for item in error.errors[:200]]
    return {"row_errors": rows, "error_count": len(error.errors)}


def flash_error(request, error: Exception, *, extra_tags: str = "") -> None:
    """A refusal behind a button that redirects: each message on the next page (`extra_tags` may tie them to a card,
    bankpm.views.card_messages)."""
    for message in error_messages(error):
        messages.error(request, message, extra_tags=extra_tags)


class ServiceFormView(LoginRequiredMixin, FormView):
    """A form page whose service decides: the form validates the input, the service checks and writes.

    - Signed-out visitors go to the sign-in page, like every page's. Permission comes from the service:
      `can_service(user=..., **self.permission_kwargs())`, one of its `*_can_*` predicates, asked before the form is
      shown or taken (else the 403 page with `denied_message`); the service asks again when it writes.
    - `save(form)` calls the service and returns what it saved; by default `create(user=, data=)` when the URL has no
      pk, `update(user=, obj=, data=)` otherwise (`model` names the edited object's model).
    - The service's refusals: invalid input on the form's fields, like the form's own refusals (200); a conflict on
      the form (409; on its field when it names one); a refused user, the 403 page. Then the success message and a
      redirect to what was saved.
    """

    model = None
    context_object_name = None  # the template's name for the edited object (default: the model's name)
    can_service = None
    denied_message = _("您无权执行该操作。")
    success_message = ""
    object = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        service = cls.__dict__.get("can_service")
        if callable(service) and not isinstance(service, staticmethod):  # a service function, not a method
            cls.can_service = staticmethod(service)

    def get_object_queryset(self):
        return self.model._default_manager.all()

    def load(self, **kwargs) -> None:
        """The objects the URL names (by default the edited object, by pk), before the permission check."""
        if self.model is not None and "pk" in kwargs:
            self.object = get_object_or_404(self.get_object_queryset(), pk=kwargs["pk"])

    def permission_kwargs(self) -> dict:
        return {}

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.load(**kwargs)
        if self.can_service is not None and not self.can_service(user=request.user, **self.permission_kwargs()):
            raise PermissionDenied(self.denied_message)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.model is not None:
            kwargs.update(user=self.request.user, instance=self.object)
        return kwargs

    def bind_companions(self) -> list:
        """Forms posted with the main one (a risk's controls, a change's pilot plan), bound to the request; the
        service is asked only when every one is valid."""
        return []

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        forms = [form, *self.bind_companions()]
        if all([each.is_valid() for each in forms]):  # every form validated, so that each shows its errors
            return self.form_valid(form)
        return self.form_invalid(form)

    def service_data(self, form) -> dict:
        return dict(form.cleaned_data)

    def create(self, *, user, data):
        raise NotImplementedError

    def update(self, *, user, obj, data):
        raise NotImplementedError

    def save(self, form):
        data, user = self.service_data(form), self.request.user
        return self.update(user=user, obj=self.object, data=data) if self.object else self.create(user=user,
                                                                                                  data=data)

    def form_valid(self, form):
        try:
            saved = self.save(form)
        except DOMAIN_ERRORS as error:
            if isinstance(error, PermissionDenied):
                raise
            return self.service_refused(form, error)
        message = self.get_success_message(saved, created=self.object is None)
        if message:
            messages.success(self.request, message)
        return redirect(self.get_success_url_for(saved))

    def service_refused(self, form, error, *, field=None):
        """The form again, with the service's errors on it: invalid input as the form's own (200), a conflict 409;
        `field` takes the errors that name no field of the form (an upload's file)."""
        add_form_errors(form, error, field=field)
        response = self.form_invalid(form)
        if isinstance(error, DomainConflict):
            response.status_code = 409
        return response

    def get_success_message(self, saved, *, created: bool) -> str:
        """The confirmation shown after saving (e.g. "产品已创建"); subclasses may name the saved object."""
        return self.success_message

    def get_success_url_for(self, saved) -> str:
        return saved.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.model is not None:
            context[self.context_object_name or self.model._meta.model_name] = self.object
        return context
