"""POST data for a Django admin change form, built from an object's current values (for admin-path tests)."""
from django.forms.models import model_to_dict


def admin_post_data(obj, **changes) -> dict:
    data = {}
    for name, value in {**model_to_dict(obj), **changes}.items():
        if value is None:
            data[name] = ""
        elif isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = getattr(value, "pk", value)
    return data
