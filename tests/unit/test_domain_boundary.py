"""The domain's boundary is typed: no public function or method of ``domain/`` takes or returns a
``dict[str, Any]`` (or ``dict[str, object]``, a ``Mapping`` of either, or a bare ``Any``). Rows
leave ``domain.sql`` as records (``Sql.fetch_as``) and actions answer with frozen dataclasses.

Run by ``make lint`` (and by ``make test``).
"""

import importlib
import inspect
import pkgutil
import types
import typing
from collections.abc import Callable, Iterator, Mapping, MutableMapping

import domain

# The driver adapter itself: where a row is born as the database driver's mapping, before
# ``as_record`` types it. Nothing else in domain/ may hand such a row on.
RAW_ROWS = {
    "domain.sql.Sql.fetch",
    "domain.sql.Sql.rows",
    "domain.sql.Sql.fetchrow",
    "domain.sql.Sql.fetchval",
    "domain.sql.Sql.execute",
    "domain.sql.Sql.fetch_as",
    "domain.sql.Sql.fetchrow_as",
    "domain.sql.Sql.fetchint",
    "domain.sql.Sql.fetchints",
    "domain.sql.Sql.ids",
    "domain.sql.Sql.texts",
    "domain.sql.bulk_insert",
    "domain.sql.copy_rows",
    "domain.sql.as_record",
}


def _modules() -> Iterator[types.ModuleType]:
    for info in pkgutil.walk_packages(domain.__path__, "domain."):
        yield importlib.import_module(info.name)


def _public_callables() -> Iterator[tuple[str, Callable[..., object]]]:
    for module in _modules():
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(value):
                yield f"{module.__name__}.{name}", value
            elif inspect.isclass(value):
                for attr, member in vars(value).items():
                    if attr.startswith("_") and attr != "__init__":
                        continue
                    function = member.__func__ if isinstance(member, classmethod | staticmethod) else member
                    if inspect.isfunction(function):
                        yield f"{module.__name__}.{name}.{attr}", function


def _untyped(hint: object) -> bool:
    """Whether ``hint`` is, or contains, a string-keyed mapping of anything, or a bare Any."""
    if hint is typing.Any:
        return True
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if (
        origin in (dict, Mapping, MutableMapping)
        and args
        and args[0] is str
        and args[1] in (typing.Any, object)
    ):
        return True
    return any(_untyped(arg) for arg in args if arg is not Ellipsis)


def test_no_untyped_mappings_cross_the_domain_boundary() -> None:
    found = []
    checked = 0
    for name, function in _public_callables():
        if name in RAW_ROWS:
            continue
        checked += 1
        hints = typing.get_type_hints(function)
        found += [f"{name}: {param} is {hint}" for param, hint in hints.items() if _untyped(hint)]
    assert checked > 300, checked  # the walk really reaches the domain
    assert found == [], "\n".join(found)


def test_the_check_catches_what_it_forbids() -> None:
    assert _untyped(dict[str, typing.Any])
    assert _untyped(list[dict[str, object]] | None)
    assert _untyped(Mapping[str, typing.Any])
    assert not _untyped(dict[str, int])
    assert not _untyped(list[tuple[int, str]])
