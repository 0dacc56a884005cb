"""Vietnamese text helpers: NFC storage and diacritic-insensitive search keys."""
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean_text(value):
    """Trim, collapse inner whitespace and store in Unicode NFC (what users typed, tidied)."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def search_key(value):
    """Lower-case, diacritic-free form: "Nguyễn Văn Đức" -> "nguyen van duc".

    Đ/đ is a separate letter, not a base letter plus a mark, so NFD alone keeps it: map it by hand.
    """
    text = clean_text(value).replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.lower()


def compact_key(value):
    """The search key without the spaces, hyphens and other marks between letters: a name found however people
    write it. "Xơ Đăng", "xo dang", "XƠ-ĐĂNG" and "Xơ-đăng" are all "xodang" (ethnic groups' names are written
    with a hyphen, a space or neither)."""
    return "".join(ch for ch in search_key(value) if ch.isalnum())
