"""Pure identity rules: municipality check digits, screen 16's formats, the card chain policy."""

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from domain.cards.authority import CardAuthority
from domain.cards.trust import CardTrust, UntrustedCertificate
from domain.cards.virtual import VirtualCard
from domain.errors import DomainError
from domain.municipalities.rules import check_digit, validate_code
from domain.residents.rules import (
    GENERATED_ALPHABET,
    Notifications,
    generate_candidate,
    validate_email,
    validate_my_key_id,
    validate_password,
)

NOW = datetime(2026, 11, 21, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "name"),
    [("141305", "川崎市"), ("011002", "札幌市"), ("131164", "豊島区"), ("401005", "北九州市")],
)
def test_real_codes_carry_their_check_digit(code, name):
    assert check_digit(code[:5]) == int(code[5]), name
    assert validate_code(code) == code


@pytest.mark.parametrize("code", ["141300", "14130", "1413055", "14130X", ""])
def test_wrong_codes_are_refused(code):
    with pytest.raises(DomainError):
        validate_code(code)


def test_generated_ids_follow_the_rule_and_avoid_look_alikes():
    for _ in range(200):
        candidate = generate_candidate()
        assert validate_my_key_id(candidate) == candidate
        assert set(candidate) <= set(GENERATED_ALPHABET)
        assert not set(candidate) & set("01IO")


@pytest.mark.parametrize(
    "value", ["ABCD123", "ABCD12345", "abcd1234", "ABCD-123", "ＡＢＣＤ1234", "ABCD 123"]
)
def test_a_mykey_id_is_eight_uppercase_alphanumerics(value):
    with pytest.raises(DomainError):
        validate_my_key_id(value)


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("abc123", True),
        ("A" * 16, True),
        ("abc12", False),
        ("A" * 17, False),
        ("abc12!", False),
        ("ａｂｃ１２３", False),
    ],
)
def test_passwords_are_6_to_16_half_width_alphanumerics(password, ok):
    if ok:
        assert validate_password(password, password) == password
    else:
        with pytest.raises(DomainError):
            validate_password(password, password)


def test_email_is_optional_but_needed_for_notifications():
    assert validate_email(None, None, Notifications()) is None
    assert validate_email(" a@b.jp ", "a@b.jp", Notifications(points_expired=True)) == "a@b.jp"
    with pytest.raises(DomainError):
        validate_email(None, None, Notifications(password_changed=True))


@pytest.mark.parametrize(
    "address",
    ["a<script>@x.example", "a@b", "a b@c.jp", "a@@c.jp", "@c.jp", "a@c..jp", "a@" + "x" * 250 + ".jp"],
)
def test_what_is_not_an_email_address_is_refused(address):
    with pytest.raises(DomainError) as refused:
        validate_email(address, address, Notifications())
    assert refused.value.field == "email" and "not an e-mail address" in refused.value.message


def test_an_address_is_stored_normalised():
    assert validate_email("Taro@Example.JP", "Taro@Example.JP", Notifications()) == "Taro@example.jp"


@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    return CardAuthority.init(tmp_path_factory.mktemp("ca"), NOW - timedelta(days=1))


def test_a_card_chains_only_inside_its_validity(authority):
    card = VirtualCard.from_pem(authority.issue_card(NOW))
    trust = CardTrust((authority.certificate,))
    trust.verify_chain(card.certificate, NOW)
    with pytest.raises(UntrustedCertificate):
        trust.verify_chain(card.certificate, NOW + timedelta(days=365 * 5 + 1))
    with pytest.raises(UntrustedCertificate):
        CardTrust(()).verify_chain(card.certificate, NOW)


def _leaf(authority, usage_sign: bool, ca: bool) -> x509.Certificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")]))
        .issuer_name(authority.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(hours=1))
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(usage_sign, False, not usage_sign, False, False, False, False, False, False),
            critical=True,
        )
    )
    return builder.sign(authority.key, hashes.SHA256())


@pytest.mark.parametrize(("usage_sign", "ca"), [(False, False), (True, True)])
def test_the_card_policy_wants_a_signing_end_entity(authority, usage_sign, ca):
    with pytest.raises(UntrustedCertificate):
        CardTrust((authority.certificate,)).verify_chain(_leaf(authority, usage_sign, ca), NOW)


def test_the_card_carries_no_personal_attribute(authority):
    card = VirtualCard.from_pem(authority.issue_card(NOW))
    names = {attribute.oid for attribute in card.certificate.subject}
    assert names == {NameOID.COUNTRY_NAME, NameOID.COMMON_NAME}
    assert card.certificate.public_key().key_size == 2048
