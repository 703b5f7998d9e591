"""English formats as Django ships them, with ISO dates first for inputs (see bankpm/formats)."""
from django.conf.locale.en import formats as _django

from .. import iso_first

DATE_INPUT_FORMATS = iso_first(_django.DATE_INPUT_FORMATS)
