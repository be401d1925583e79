"""Partner access tokens: short-lived JWTs (Ed25519) issued by ``/oauth/token``, made with joserfc.

The token names the partner's client id (``sub``); it is accepted only while that partner is active,
so deactivating a partner stops its tokens at once.
"""

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from domain.private_files import write_private

ALGORITHM = "Ed25519"
ISSUER = "mykey-points"
AUDIENCE = "mykey-points-api"
LIFETIME_SECONDS = 3600


@dataclass(frozen=True)
class IssuedToken:
    """An OAuth 2.0 token response (RFC 6749 §5.1); :meth:`as_json` is the body."""

    access_token: str
    expires_in: int
    scope: str
    token_type: str = "Bearer"  # noqa: S105 - the RFC's token type, not a secret

    def as_json(self) -> dict[str, str | int]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class AccessTokens:
    key: OKPKey

    @classmethod
    def load_or_create(cls, path: Path) -> "AccessTokens":
        if path.exists():
            return cls(OKPKey.import_key(path.read_bytes()))
        key = OKPKey.generate_key("Ed25519")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, key.as_pem(private=True))
        return cls(key)

    def issue(self, client_id: str, scope: str, now: datetime) -> "IssuedToken":
        issued = int(now.timestamp())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": client_id,
            "scope": scope,
            "iat": issued,
            "exp": issued + LIFETIME_SECONDS,
            "jti": secrets.token_urlsafe(12),
        }
        token = jwt.encode({"alg": ALGORITHM}, claims, self.key, algorithms=[ALGORITHM])
        return IssuedToken(token, LIFETIME_SECONDS, scope)

    def client_id(self, token: str, now: datetime) -> str | None:
        """The partner's client id if ``token`` is genuine and current, else None."""
        found = self.read(token, now)
        return None if found is None else found[0]

    def read(self, token: str, now: datetime) -> tuple[str, frozenset[str]] | None:
        """(client id, scopes) if ``token`` is genuine and current, else None."""
        try:
            decoded = jwt.decode(token, self.key, algorithms=[ALGORITHM])
            jwt.JWTClaimsRegistry(
                now=int(now.timestamp()),
                iss={"essential": True, "value": ISSUER},
                aud={"essential": True, "value": AUDIENCE},
                exp={"essential": True},
                sub={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError):
            return None
        subject, scope = decoded.claims.get("sub"), decoded.claims.get("scope", "")
        if not isinstance(subject, str) or not isinstance(scope, str):
            return None
        return subject, frozenset(scope.split())
