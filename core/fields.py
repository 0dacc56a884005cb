"""Form fields for numbers as officers type them: "1.500.000" or "1 500 000" is one and a half million."""
import re

from django import forms

_GROUPING = re.compile(r"^-?\d{1,3}([.\s]\d{3})+$")


def parse_vietnamese_integer(text):
    """'1.500.000' / '1 500 000' / '1500000' -> 1500000; None for blank; ValueError otherwise."""
    text = str(text).strip().replace("\u00a0", " ")
    if not text:
        return None
    if _GROUPING.match(text):
        text = re.sub(r"[.\s]", "", text)
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(text)
    return int(text)


class VietnameseIntegerField(forms.IntegerField):
    default_error_messages = {"invalid": "Nhập một số nguyên, ví dụ 1.500.000."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            return parse_vietnamese_integer(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
