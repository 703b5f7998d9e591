"""FilterSets shared by the pages and the API."""
from core.filtersets import AuditEntryFilterSet

__all__ = ["AuditEntryFilterSet"]
