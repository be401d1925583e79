"""A municipality with a regular program, a shop accepting it, its PAY terminal and staff, and a
resident holding points in two lots (and a fresh CRL, which point-moving card operations need)."""

from dataclasses import dataclass
from datetime import timedelta

from models.staff import StaffRole
from tests.integration.identity.people import Registered


@dataclass
class Town:
    program: int
    shop: int
    pay: str
    clerk: str
    admin: str
    staff: str
    resident: Registered


async def build_town(people, clock) -> Town:
    await people.municipality()
    program = await people.program(name="川崎市ポイント")
    shop = await people.shop_accepting([program.id], name="ブレーメン通り 商店")
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    staff = await people.staff(StaffRole.MUNICIPALITY_STAFF)
    clerk = await people.staff(StaffRole.SHOP_STAFF, shop_id=shop, login="clerk")
    pay = await people.terminal("PAY", admin, shopId=str(shop))
    resident = await people.register()
    await people.grant(staff, program.id, [(resident.my_key_id, 600)], key="town-grant-1")
    clock.advance(timedelta(days=1))
    await people.grant(staff, program.id, [(resident.my_key_id, 400)], key="town-grant-2")
    await people.fresh_crl()
    await people.login(resident)
    return Town(program.id, shop, pay, clerk, admin, staff, resident)
