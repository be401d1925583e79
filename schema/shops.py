"""Shops as the API shows them."""

import strawberry

from domain.shops.queries import ShopAccountView, ShopView
from schema.errors import Payload


@strawberry.type(description="A shop or facility that accepts points.")
class Shop:
    id: strawberry.ID
    name: str
    category: str

    @classmethod
    def from_view(cls, view: ShopView) -> "Shop":
        return cls(id=strawberry.ID(str(view.id)), name=view.name, category=view.category)


@strawberry.type
class AddShopPayload(Payload):
    shop: Shop | None = None


@strawberry.type(description="Where a municipality pays a shop. Shown only to who may set it.")
class BankAccount:
    bank_code: str
    branch_code: str
    account_type: str = strawberry.field(description="ORDINARY (普通) or CURRENT (当座)")
    account_number: str
    holder_kana: str = strawberry.field(description="As the transfer file writes it (half-width kana)")

    @classmethod
    def from_view(cls, view: ShopAccountView) -> "BankAccount":
        return cls(
            bank_code=view.bank_code,
            branch_code=view.branch_code,
            account_type=view.account_type,
            account_number=view.account_number,
            holder_kana=view.account_holder,
        )


@strawberry.type
class SetShopBankAccountPayload(Payload):
    shop: Shop | None = None
    bank_account: BankAccount | None = None
