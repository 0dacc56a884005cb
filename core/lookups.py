"""Lookups on integer columns that never send the database a number it cannot hold.

Django already answers `pk=10**20` with "no rows" (IntegerFieldOverflow), but not `pk__in=[10**20]` nor a
relation (`household=10**20`, `members=…`), which SQLite refuses with an OverflowError: any admin list filtered
from its address (`?household=99999999999999999999`) was a server error. A number outside the column's range
matches nothing, so it is dropped here, for every path at once (admin, API filters, services)."""
from django.core.exceptions import FullResultSet
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
from django.db.models.lookups import In, IntegerFieldOverflow


def integer_range(lhs, connection):
    """(min, max) of the integer column a lookup compares with, (None, None) when it is not an integer column."""
    field = lhs.output_field
    if hasattr(field, "path_infos"):  # a relation: the column it points at
        field = field.path_infos[-1].target_fields[-1]
    try:
        return connection.ops.integer_field_range(field.get_internal_type())
    except KeyError:
        return None, None


def in_range(value, low, high):
    return not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))


class InRangeIn:
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = integer_range(self.lhs, connection)
            self.rhs = [value for value in self.rhs if in_range(value, low, high)]  # none left: no rows
        return super().process_rhs(compiler, connection)


class RelatedOverflow(IntegerFieldOverflow):
    """Django's overflow rule, with the range of the column the relation points at."""

    def process_rhs(self, compiler, connection):
        low, high = integer_range(self.lhs, connection)
        if isinstance(self.rhs, int):
            if low is not None and self.rhs < low:
                raise self.underflow_exception
            if high is not None and self.rhs > high:
                raise self.overflow_exception
        return super(IntegerFieldOverflow, self).process_rhs(compiler, connection)


class IntegerIn(InRangeIn, In):
    pass


class RelatedInRange(InRangeIn, RelatedIn):
    pass


class RelatedExactInRange(RelatedOverflow, RelatedExact):
    pass


class RelatedGreaterThanInRange(RelatedOverflow, RelatedGreaterThan):
    underflow_exception = FullResultSet


class RelatedGreaterThanOrEqualInRange(RelatedOverflow, RelatedGreaterThanOrEqual):
    underflow_exception = FullResultSet


class RelatedLessThanInRange(RelatedOverflow, RelatedLessThan):
    overflow_exception = FullResultSet


class RelatedLessThanOrEqualInRange(RelatedOverflow, RelatedLessThanOrEqual):
    overflow_exception = FullResultSet


def register():
    """Called once from CoreConfig.ready: replaces the built-in lookups of these names for every model."""
    IntegerField.register_lookup(IntegerIn)
    for lookup in (RelatedInRange, RelatedExactInRange, RelatedGreaterThanInRange, RelatedGreaterThanOrEqualInRange,
                   RelatedLessThanInRange, RelatedLessThanOrEqualInRange):
        ForeignObject.register_lookup(lookup)
