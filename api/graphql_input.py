"""What a GraphQL request may carry before anything runs: a JSON object in UTF-8, and text without
NUL characters, lone surrogates or runaway lengths.

A body that is not a JSON object (``null``, ``42``, deep nesting, bytes that are not UTF-8) is a 400
that says what to send. A string with a NUL or a lone surrogate, or longer than :data:`MAX_TEXT`,
in the variables or the document, is an ``INVALID_INPUT`` error before any resolver runs (PostgreSQL
refuses NUL; a lone surrogate cannot be encoded; lengths are checked before the database).
"""

import json
import re
from collections.abc import Iterator
from typing import Any

from cross_web import HTTPException
from graphql.error import GraphQLError
from graphql.language import DocumentNode, StringValueNode, visit
from graphql.language.visitor import Visitor
from strawberry.types import ExecutionContext

from domain.errors import ErrorCode

MAX_TEXT = 16_384  # the longest honest value is a card certificate in base64 (about 11,000)
_BAD = re.compile(r"[\x00\ud800-\udfff]")
SHAPE = 'Send one JSON object in UTF-8, e.g. {"query": "{ viewer { role } }", "variables": {}}.'


def decode_request(data: str | bytes) -> object:
    """The request body as JSON, or a 400 that tells the client what to send."""
    try:
        decoded = json.loads(data)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise HTTPException(400, f"The body is not JSON in UTF-8. {SHAPE}") from exc
    if not isinstance(decoded, dict):
        raise HTTPException(400, f"The body is JSON, but not an object. {SHAPE}")
    return decoded


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        self.found.append(node.value)


def _literals(document: DocumentNode | None) -> list[str]:
    if document is None:
        return []
    visitor = _Literals()
    visit(document, visitor)
    return visitor.found


def text_problem(texts: Iterator[str] | list[str]) -> str | None:
    for text in texts:
        if _BAD.search(text):
            return "Text may not contain NUL characters or lone surrogates (invalid Unicode)."
        if len(text) > MAX_TEXT:
            return f"A text value is longer than {MAX_TEXT:,} characters."
    return None


def refuse_bad_text(context: ExecutionContext) -> None:
    """Refuse bad text in the variables and in the document's string literals (``INVALID_INPUT``),
    as a validation error of the request (after the validation cache set the errors afresh)."""
    problem = text_problem(_strings(context.variables or {}))
    if problem is None and context.query and ("\\u" in context.query or _BAD.search(context.query)):
        problem = text_problem(_literals(context.graphql_document))
    if problem is not None:
        refusal = GraphQLError(problem, extensions={"code": ErrorCode.INVALID_INPUT.value})
        context.pre_execution_errors = [*(context.pre_execution_errors or []), refusal]
