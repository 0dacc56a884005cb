"""Reading one cell the way officers write it."""
import re

from core.fields import parse_vietnamese_integer
from core.formatting import vn_number
from core.text import clean_text, search_key

TRUE_WORDS = {"x", "1", "co", "có", "yes", "true", "v", "✓"}
FALSE_WORDS = {"", "0", "khong", "không", "no", "false", "-"}
# Characters that never occur in Unicode Vietnamese but fill text typed in the legacy fonts.
TCVN3_MARKS = set("¸µ¶·¹¨©ª«¬®¦§¤¢£¡¥ÇÆËÎÏÑ×ØÜÞßæçðñ÷øüýþ¼½¾")
VNI_PATTERN = re.compile(r"[øïñöëäåû]|[aeiouy][ùõã]|aê|eâ", re.IGNORECASE)
# Control characters left after whitespace is tidied: the reader decodes Excel's _xHHHH_ escapes, so a cell
# can hold a NUL (which PostgreSQL refuses in any text) or other invisible codes nobody means to store.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class CellError(ValueError):
    pass


def text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = clean_text(value)
    control = CONTROL.search(result)
    if control:
        raise CellError(f"Ô có ký tự ẩn không in được (mã U+{ord(control.group()):04X}): hãy xoá ô rồi gõ lại.")
    legacy = legacy_encoding(result)
    if legacy:
        raise CellError(f"Chữ gõ bằng phông {legacy} (không phải Unicode): hãy chuyển mã sang Unicode "
                        "(ví dụ Unikey → Công cụ chuyển mã) rồi nhập lại.")
    return result


def legacy_encoding(value):
    """'TCVN3 (.VnTime)' or 'VNI' when the text looks typed in a legacy Vietnamese font, else ''."""
    if not value or value.isascii():
        return ""
    if sum(ch in TCVN3_MARKS for ch in value) >= 1 and not any("\u1ea0" <= ch <= "\u1ef9" for ch in value):
        return "TCVN3 (.VnTime)"
    if VNI_PATTERN.search(value) and not any("\u1ea0" <= ch <= "\u1ef9" for ch in value):
        return "VNI"
    return ""


def integer(value, *, minimum=None, maximum=None, too_big=None):
    """A whole number as officers write it (1.500.000, 1500000, or a number cell). Outside
    [minimum, maximum] it is an error; `too_big` words the one above `maximum`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError("Cần một số.")
    if isinstance(value, (int,)):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(f"“{value}” không phải số nguyên.")
        number = int(value)
    else:
        try:
            number = parse_vietnamese_integer(value)
        except ValueError:
            raise CellError(f"“{value}” không phải số (viết 1.500.000 hoặc 1500000).") from None
    if minimum is not None and number < minimum:
        raise CellError(f"Không được nhỏ hơn {minimum}.")
    if maximum is not None and number > maximum:
        raise CellError(too_big or f"Không được lớn hơn {vn_number(maximum)}.")
    return number


def code(value, width=0):
    """Codes that Excel turned into numbers get their leading zeros back (ethnic "1" -> "01")."""
    result = text(value)
    return result.zfill(width) if width and result.isdigit() else result


def flag(value):
    key = search_key(text(value))
    if key in TRUE_WORDS or key == "co":
        return True
    if key in FALSE_WORDS or key == "khong":
        return False
    raise CellError(f"“{value}”: ghi x, 1 hoặc có (bỏ trống là không).")


def flag_or_blank(value):
    """A flag where a blank cell says nothing: None (left to what is derived), else as flag()."""
    if not search_key(text(value)):
        return None
    return flag(value)


def gender(value):
    key = search_key(text(value))
    if key in ("nam", "m", "male"):
        return "male"
    if key in ("nu", "f", "female"):
        return "female"
    if not key:
        return ""
    raise CellError(f"“{value}”: ghi Nam hoặc Nữ.")
