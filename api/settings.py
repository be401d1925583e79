"""Configuration, read once from the environment (see README: Configuration)."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from domain.clock import Clock, RunningClock, SystemClock
from domain.notifications.sender import FileTransport, SmtpTransport, Transport


@dataclass(frozen=True)
class Settings:
    database_url: str
    environment: str
    host: str
    port: int
    pool_size: int
    var_dir: Path
    ledger_key_path: Path
    checkpoint_interval: float
    trusted_ca_path: Path
    card_ca_dir: Path
    oauth_key_path: Path
    crl_source: Path
    argon2_memory_kib: int
    argon2_time_cost: int
    smtp_url: str | None
    mail_from: str
    outbox_dir: Path
    outbox_interval: float
    voucher_key_path: Path
    public_url: str
    clock_start: datetime | None = None
    trusted_proxies: tuple[str, ...] = ()
    max_body_bytes: int = 1024 * 1024
    metrics_allow: tuple[str, ...] = ("127.0.0.1", "::1")
    metrics_token: str | None = None
    operator_name: str = "MyKey Points 運営事務局"  # who runs the service, in every page's footer
    contact_email: str = "support@mykey-points.invalid"

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def clock(self) -> Clock:
        """The system clock; a running clock from ``MYKEY_CLOCK_START`` outside production (tests)."""
        if self.clock_start is None:
            return SystemClock()
        return RunningClock(self.clock_start)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        var_dir = Path(env.get("MYKEY_VAR_DIR", "var")).resolve()
        environment = env.get("MYKEY_ENV", "development")
        if environment not in {"development", "production", "test"}:
            raise ValueError("MYKEY_ENV is development, production or test")
        clock_start = _clock_start(env.get("MYKEY_CLOCK_START"), environment)
        return cls(
            clock_start=clock_start,
            trusted_proxies=_list(env.get("MYKEY_TRUSTED_PROXIES", "")),
            max_body_bytes=int(env.get("MYKEY_MAX_BODY_BYTES", str(1024 * 1024))),
            metrics_allow=_list(env.get("MYKEY_METRICS_ALLOW", "127.0.0.1,::1")),
            metrics_token=env.get("MYKEY_METRICS_TOKEN") or None,
            operator_name=env.get("MYKEY_OPERATOR_NAME", "MyKey Points 運営事務局"),
            contact_email=env.get("MYKEY_CONTACT_EMAIL", "support@mykey-points.invalid"),
            database_url=env.get("DATABASE_URL") or f"sqlite://{var_dir / 'mykey.sqlite3'}",
            environment=environment,
            host=env.get("HOST", "127.0.0.1"),
            port=int(env.get("PORT", "8000")),
            pool_size=int(env.get("MYKEY_DB_POOL_SIZE", "20")),
            var_dir=var_dir,
            ledger_key_path=Path(env.get("MYKEY_LEDGER_KEY", str(var_dir / "ledger-signing-key.pem"))),
            checkpoint_interval=float(env.get("MYKEY_CHECKPOINT_SECONDS", "60")),
            trusted_ca_path=Path(env.get("MYKEY_TRUSTED_CA", str(var_dir / "card-ca" / "ca.pem"))),
            card_ca_dir=var_dir / "card-ca",
            oauth_key_path=Path(env.get("MYKEY_OAUTH_KEY", str(var_dir / "oauth-signing-key.pem"))),
            crl_source=Path(env.get("MYKEY_CRL_SOURCE", str(var_dir / "card-ca" / "crl.pem"))),
            argon2_memory_kib=int(env.get("MYKEY_ARGON2_MEMORY_KIB", str(64 * 1024))),
            argon2_time_cost=int(env.get("MYKEY_ARGON2_TIME_COST", "3")),
            smtp_url=env.get("SMTP_URL") or None,
            mail_from=env.get("MYKEY_MAIL_FROM", "MyKey Points <no-reply@mykey-points.invalid>"),
            outbox_dir=var_dir / "outbox",
            outbox_interval=float(env.get("MYKEY_OUTBOX_SECONDS", "10")),
            voucher_key_path=Path(env.get("MYKEY_VOUCHER_KEY", str(var_dir / "voucher-key"))),
            public_url=env.get("MYKEY_PUBLIC_URL")
            or f"http://{env.get('HOST', '127.0.0.1')}:{env.get('PORT', '8000')}",
        )


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _clock_start(value: str | None, environment: str) -> datetime | None:
    if not value:
        return None
    if environment == "production":
        raise ValueError("MYKEY_CLOCK_START is for tests and demos: production runs on the system clock")
    start = datetime.fromisoformat(value)
    if start.tzinfo is None:
        raise ValueError("MYKEY_CLOCK_START needs a UTC offset, e.g. 2026-11-21T12:00:00+09:00")
    return start


def mail_transport(settings: Settings) -> Transport:
    """SMTP when ``SMTP_URL`` is set, else .eml files under var/outbox/."""
    if settings.smtp_url:
        return SmtpTransport(settings.smtp_url)
    return FileTransport(settings.outbox_dir)
