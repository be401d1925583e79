"""Schemathesis's check for this API, loaded by the fuzz test (``SCHEMATHESIS_HOOKS``).

Schemathesis counts every GraphQL error as a server error; here a coded refusal (UNAUTHENTICATED,
INVALID_INPUT, NOT_FOUND…) is the right answer to a random document. A failure is an HTTP 5xx, an
answer that is not JSON, or an error without a code or with INTERNAL (an exception nobody expected).
"""

from typing import Any

import schemathesis


@schemathesis.check
def no_server_failure(ctx: Any, response: Any, case: Any) -> None:
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise AssertionError(f"HTTP {response.status_code} answered with something that is not JSON") from exc
    for error in (body.get("errors") if isinstance(body, dict) else None) or []:
        code = (error.get("extensions") or {}).get("code")
        if code in (None, "INTERNAL"):
            raise AssertionError(f"{code or 'uncoded'} error: {error.get('message')} at {error.get('path')}")
