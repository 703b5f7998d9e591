"""Per-language format overrides (FORMAT_MODULE_PATH): a date input shows and reads ISO dates in every language.

A browser's `<input type="date">` only understands `YYYY-MM-DD`; a localized value (`2027/03/07`) shows as empty
and the next save sends nothing back. A widget renders the first of the input formats, so ISO comes first.
"""


def iso_first(formats: list[str]) -> list[str]:
    return ["%Y-%m-%d", *[f for f in formats if f != "%Y-%m-%d"]]
