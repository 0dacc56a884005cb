"""Exact rates and the Vietnamese way of writing numbers (13.698 hộ; 34,49 %)."""
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


def rate(part, whole):
    """part / whole × 100 as a Decimal rounded half-up to two places; None when there is no denominator."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def points(before, after):
    """Difference of two rates in percentage points (poverty-reduction rate = start − end)."""
    if before is None or after is None:
        return None
    return (Decimal(before) - Decimal(after)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def vn_number(value, places=0):
    """13698 -> "13.698"; Decimal("34.49") with places=2 -> "34,49"."""
    if value is None or value == "":
        return "–"
    number = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) if places else \
        Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):.{places}f}"
    whole, _, fraction = text.partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    result = sign + ".".join(groups)
    return f"{result},{fraction}" if fraction else result


def vn_percent(value):
    """Decimal("34.49") -> "34,49 %"."""
    return "–" if value is None else f"{vn_number(value, 2)} %"


def vn_million(amount_vnd):
    """611000000 -> "611" (triệu đồng)."""
    if amount_vnd is None:
        return "–"
    return vn_number(Decimal(amount_vnd) / Decimal(1_000_000), 0 if amount_vnd % 1_000_000 == 0 else 1)
