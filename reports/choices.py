from django.db import models
from django.utils.translation import gettext_lazy as _


class PackKind(models.TextChoices):
    MONTH = "month", _("月报")
    QUARTER = "quarter", _("季报")
