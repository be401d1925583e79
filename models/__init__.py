"""Tortoise models. Tortoise discovers them through this module (see api.database)."""

from models.audit import AuditEvent
from models.cards import Card, CardChallenge, RevocationList, RevokedCertificate
from models.exchanges import Coupon, CouponBatch, Exchange
from models.grants import GrantBatch, GrantFile
from models.ledger import Account, Checkpoint, IdempotencyRecord, JournalEntry, Lot, Posting
from models.links import Service, ServiceLink, ServiceLookupCount
from models.municipalities import Municipality
from models.online import Donation, Item, ItemProgram, Order
from models.outbox import JobLease, OutboxMessage
from models.partners import AuthorizationCode, Partner, WebhookDelivery
from models.programs import AcceptanceAgreement, Department, PremiumCampaign, Program, ShopProgram
from models.residents import Registration, Resident
from models.sessions import RateLimitWindow, Session
from models.settlements import (
    PublishedFigures,
    Settlement,
    SettlementEntry,
    SettlementLine,
    SettlementStatement,
)
from models.shops import Shop
from models.staff import Staff
from models.terminals import Terminal
from models.vouchers import Voucher, VoucherRedemption

__all__ = [
    "AcceptanceAgreement",
    "Account",
    "AuditEvent",
    "AuthorizationCode",
    "Card",
    "CardChallenge",
    "Checkpoint",
    "Coupon",
    "CouponBatch",
    "Department",
    "Donation",
    "Exchange",
    "GrantBatch",
    "GrantFile",
    "IdempotencyRecord",
    "Item",
    "ItemProgram",
    "JobLease",
    "JournalEntry",
    "Lot",
    "Municipality",
    "Order",
    "OutboxMessage",
    "Partner",
    "Posting",
    "PremiumCampaign",
    "Program",
    "PublishedFigures",
    "RateLimitWindow",
    "Registration",
    "Resident",
    "RevocationList",
    "RevokedCertificate",
    "Service",
    "ServiceLink",
    "ServiceLookupCount",
    "Session",
    "Settlement",
    "SettlementEntry",
    "SettlementLine",
    "SettlementStatement",
    "Shop",
    "ShopProgram",
    "Staff",
    "Terminal",
    "Voucher",
    "VoucherRedemption",
    "WebhookDelivery",
]
