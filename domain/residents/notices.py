"""E-mail about the MyKey ID itself: registered, card re-bound, suspended, password changed."""

from domain.notifications.outbox import Mail, account_notice


def registered(to: str, resident_id: int, my_key_id: str) -> Mail:
    return account_notice(
        to,
        resident_id,
        "MYKEY_ID_REGISTERED",
        my_key_id,
        f"マイキーID {my_key_id} を登録しました / Your MyKey ID {my_key_id} is registered",
        f"マイキーID {my_key_id} を登録しました。\n\nYour MyKey ID {my_key_id} is registered.",
    )


def card_rebound(to: str, resident_id: int, card_fingerprint: str) -> Mail:
    return account_notice(
        to,
        resident_id,
        "MYKEY_ID_CHANGED",
        card_fingerprint[:16],
        "マイキーIDに新しいカードを結び付けました / A new card now carries your MyKey ID",
        "マイキーIDに新しいカードの電子証明書を結び付けました。心当たりがない場合はご連絡ください。\n\n"
        "A new card certificate now carries your MyKey ID. If this was not you, contact us.",
    )


def suspended(to: str, resident_id: int, when: str) -> Mail:
    return account_notice(
        to,
        resident_id,
        "MYKEY_ID_SUSPENDED",
        when,
        "マイキーIDの利用を停止しました / Your MyKey ID is suspended",
        "マイキーIDの利用を停止しました。新しいカードを結び付けると再開できます。\n\n"
        "Your MyKey ID is suspended. Bind a new card to use it again.",
    )


def password_changed(to: str, resident_id: int, when: str) -> Mail:
    return account_notice(
        to,
        resident_id,
        "PASSWORD_CHANGED",
        when,
        "パスワードを変更しました / Your password was changed",
        "利用者マイページのパスワードを変更しました。心当たりがない場合はご連絡ください。\n\n"
        "Your My Page password was changed. If this was not you, contact us.",
    )
