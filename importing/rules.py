"""What the models take, read from their own field definitions, so that the check refuses exactly what the
commit could not write: text longer than the column, integers outside the column's type, values that fail
the field's validators.

Integer ranges are those of the column types on every database (Django's portable table: PositiveSmallInteger
0–32,767, PositiveInteger 0–2,147,483,647, BigInteger ±2⁶³), not the connection's own: SQLite stores any
64-bit integer where PostgreSQL refuses it, and a file checked on one must not be refused by the other.
"""
from django.core.exceptions import ValidationError
from django.db.backends.base.operations import BaseDatabaseOperations

from core.formatting import vn_number
from importing.cells import CellError


class FieldRule:
    """The limits of one model field: max_length, the integer range of its column type, its validators."""

    def __init__(self, model, name):
        field = model._meta.get_field(name)
        self.max_length = field.max_length
        self.range = BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type())
        # The field's own validators (a code's pattern, the national ID's twelve digits); length and range
        # are checked above with messages of their own.
        self.validators = [*field.default_validators, *field._validators]

    def check(self, value):
        """Raise CellError with the officer's message when the column cannot hold `value`."""
        if value is None or value == "":
            return value
        if self.max_length is not None and isinstance(value, str) and len(value) > self.max_length:
            raise CellError(f"Dài {vn_number(len(value))} ký tự, quá giới hạn {vn_number(self.max_length)} ký tự: "
                            "hãy viết gọn lại.")
        if self.range is not None and isinstance(value, int):
            low, high = self.range
            if value < low:
                raise CellError(f"Không được nhỏ hơn {vn_number(low)}.")
            if value > high:
                raise CellError(f"Không được lớn hơn {vn_number(high)}.")
        for validator in self.validators:
            try:
                validator(value)
            except ValidationError as error:
                raise CellError(" ".join(error.messages)) from None
        return value


def maximum(model, name, limit=None):
    """The largest value the column of `model.name` takes, or `limit` when that is smaller."""
    high = BaseDatabaseOperations.integer_field_ranges[model._meta.get_field(name).get_internal_type()][1]
    return high if limit is None else min(high, limit)
