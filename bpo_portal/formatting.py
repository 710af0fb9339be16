"""How the portal writes money and numbers on a page: one rule, used by the template filters (bpo_portal
templatetags `portal`) and by table columns. CSV exports and the API keep plain numbers."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CURRENCY = "$"
MINUS = "−"  # a typographic minus, the width of the plus


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money(value, signed: bool = False) -> str:
    """“$10,870.00”; “−$120.50” below zero; with `signed`, “+$1,050.00” above it. None reads “—”."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{CURRENCY}{abs(amount):,.2f}"
    if amount < 0:
        return MINUS + text
    return f"+{text}" if signed and amount > 0 else text


def number(value, places: int = 2) -> str:
    """A quantity with thousands separators and at most `places` decimals, no trailing zeros: “2,500”, “4.53”."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{amount:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return MINUS + text[1:] if text.startswith("-") else text
