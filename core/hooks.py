"""The one hook registry: where apps plug their functions into events of apps below them (no Django signals).

An app that runs hooks names its events under a scope (`"products"`, `"kpis"`, an approval process's
`"process:<code>"`, ...) and calls `hooks(scope, event)` at the right moment, in its own transaction. Apps above it
register in `AppConfig.ready()` with `register_hook(scope, event, fn, key=...)`. A hook registered again under the
same key (by default the function itself) replaces the first: registering twice runs once.

Events in use (what each hook receives as keyword arguments):

| scope | event | hook |
|---|---|---|
| `products` | `product_created` | `(product, user)` after a product is saved and audited |
| `products` | `edit_guard` | `(product, user, changed)` raises DomainConflict to refuse an edit (key: its name) |
| `kpis` | `alert_opened` | `(alerts)` with the alerts a snapshot computation has just opened |
| `kpis` | `metric_source` | `(product_ids, metric_ids)` -> the (product, metric) pairs another app computes |
| `lifecycle.demo` | `before_gate` | `(product, to_stage)` prepares what a demo gate checks |
| `process:<code>` | see `lifecycle.engine.EVENTS` | registered through `lifecycle.engine.register_hook` |
"""
from collections import defaultdict
from collections.abc import Callable, Hashable

_HOOKS: dict[tuple[str, str], dict[Hashable, Callable]] = defaultdict(dict)


def register_hook(scope: str, event: str, fn: Callable, *, key: Hashable | None = None) -> None:
    """Run `fn` on `event` of `scope`; `key` (default: the function) names it, and a second registration under the
    same key replaces the first."""
    _HOOKS[(scope, event)][fn if key is None else key] = fn


def unregister_hook(scope: str, event: str, key: Hashable) -> None:
    _HOOKS[(scope, event)].pop(key, None)


def hooks(scope: str, event: str) -> list[tuple[Hashable, Callable]]:
    """(key, hook) pairs of an event, in registration order."""
    return list(_HOOKS.get((scope, event), {}).items())


def hook_functions(scope: str, event: str) -> list[Callable]:
    return [fn for _key, fn in hooks(scope, event)]


def registry_state() -> dict:
    """A copy of the registry (tests put it back with `registry_restore`)."""
    return {name: dict(entries) for name, entries in _HOOKS.items()}


def registry_restore(state: dict) -> None:
    _HOOKS.clear()
    _HOOKS.update({name: dict(entries) for name, entries in state.items()})
