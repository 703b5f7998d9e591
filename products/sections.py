"""The product page's sections, contributed by the apps above products (so products/ never includes them).

Each app registers its partials in AppConfig.ready(); the page renders them in `order`. A partial receives the
page's context (`product`, `request`, `user`, `can_edit`). Slot "top" renders above the product's facts (the
lifecycle panel), slot "main" below them.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class ProductSection:
    key: str
    template: str
    order: int = 50
    slot: str = "main"


_SECTIONS: dict[str, ProductSection] = {}


def register_product_section(*, key: str, template: str, order: int = 50, slot: str = "main") -> None:
    _SECTIONS[key] = ProductSection(key=key, template=template, order=order, slot=slot)


def product_sections(*, slot: str) -> list[ProductSection]:
    return sorted((s for s in _SECTIONS.values() if s.slot == slot), key=lambda s: (s.order, s.key))
