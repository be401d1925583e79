"""The GraphQL context builds its DataLoaders and the trusted CAs on first use, once per request."""

import pytest

from schema.context import Context


def _context(lazy):  # type: ignore[no-untyped-def]
    return Context(
        request=None,  # type: ignore[arg-type]
        response=None,
        clock=None,  # type: ignore[arg-type]
        ledger_key=None,  # type: ignore[arg-type]
        access_tokens=None,  # type: ignore[arg-type]
        voucher_key=None,  # type: ignore[arg-type]
        public_url="http://testserver",
        lazy=lazy,
    )


def test_a_lazy_attribute_is_built_on_first_use_and_kept():
    built = []

    def loader(context):  # type: ignore[no-untyped-def]
        built.append(context)
        return object()

    context = _context({"program_by_id": loader})
    assert built == []  # nothing built with the context
    first = context.program_by_id
    assert context.program_by_id is first and built == [context]  # built once, for this context
    assert _context({"program_by_id": loader}).program_by_id is not first  # a request has its own


def test_an_attribute_without_a_factory_is_still_missing():
    context = _context({})
    with pytest.raises(AttributeError):
        context.card_trust  # noqa: B018
    with pytest.raises(AttributeError):
        context.nothing_of_the_kind  # type: ignore[attr-defined]  # noqa: B018
