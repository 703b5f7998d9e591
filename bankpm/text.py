"""Punctuation that follows the reader's language: Chinese writes 、 ： ； where English writes , : ;."""
from django.utils.translation import pgettext


def list_separator() -> str:
    """Between the items of a list ("分行、手机银行" / "Branch, Mobile banking")."""
    return pgettext("list separator", "、")


def list_join(items) -> str:
    return list_separator().join(str(item) for item in items)


def clause_separator() -> str:
    """Between clauses or messages ("名称不能为空；数量须为整数" / "…; …")."""
    return pgettext("clause separator", "；")


def clause_join(items) -> str:
    return clause_separator().join(str(item) for item in items)


def colon() -> str:
    """After a label ("理由：…" / "Reason: …")."""
    return pgettext("punctuation", "：")
