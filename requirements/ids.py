"""Ids typed by people or clients: str.isdigit() accepts "²" and "١", which int() or PostgreSQL then refuse."""

MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """The value as a positive database id, or None when it is not one (never raises)."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def parse_ids(values) -> list[int]:
    """The valid ids among `values`, in order, without duplicates; the rest are ignored."""
    return list(dict.fromkeys(n for n in map(parse_id, values) if n is not None))
