"""The admin's record history (django-simple-history) in the reader's words: choice labels instead of codes, a
dash for nothing (related rows are diffed as objects, shown by name), and column headings from our catalogue."""
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper


class WordedHistory(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "" or value == []:
            return "—"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, DeletedObject):  # a related row that is gone, or none at all
            return "—" if value.pk is None else f"#{value.pk}"
        return super().prepare_delta_change_value(change, value)


class WordedHistoryAdmin(SimpleHistoryAdmin):
    object_history_list_template = "admin/history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return WordedHistory(self.model, historical_record)
