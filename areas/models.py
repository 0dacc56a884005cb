"""The administrative tree: province -> district -> commune -> village, with its dated history."""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from core.text import clean_text, search_key


class Level(models.TextChoices):
    PROVINCE = "province", "Tỉnh/Thành phố"
    DISTRICT = "district", "Quận/Huyện"
    COMMUNE = "commune", "Xã/Phường/Thị trấn"
    VILLAGE = "village", "Thôn/Làng/Tổ dân phố"


LEVEL_DEPTH = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2, Level.VILLAGE: 3}

# Kinds of unit and whether they are urban by default (an administrator may override per unit).
KINDS = {
    "tỉnh": (Level.PROVINCE, False),
    "thành phố trực thuộc trung ương": (Level.PROVINCE, True),
    "huyện": (Level.DISTRICT, False),
    "quận": (Level.DISTRICT, True),
    "thị xã": (Level.DISTRICT, True),
    "thành phố": (Level.DISTRICT, True),
    "xã": (Level.COMMUNE, False),
    "phường": (Level.COMMUNE, True),
    "thị trấn": (Level.COMMUNE, True),
    "đặc khu": (Level.COMMUNE, False),
    "thôn": (Level.VILLAGE, False),
    "làng": (Level.VILLAGE, False),
    "bản": (Level.VILLAGE, False),
    "buôn": (Level.VILLAGE, False),
    "plei": (Level.VILLAGE, False),
    "ấp": (Level.VILLAGE, False),
    "tổ dân phố": (Level.VILLAGE, True),
    "khu phố": (Level.VILLAGE, True),
}
KIND_CHOICES = [(kind, kind.capitalize()) for kind in KINDS]


class UrbanRule(models.TextChoices):
    BY_KIND = "kind", "Theo loại đơn vị (phường, thị trấn: đô thị; xã: nông thôn)"
    URBAN = "urban", "Đô thị (do quản trị viên đặt)"
    RURAL = "rural", "Nông thôn (do quản trị viên đặt)"


# -- the scoping door (areas/scoping.py is its entrance) ----------------------------------------------------
# It lives beside the models because each needs the other: the scope is computed from the map and the
# officers' areas (codes_under, OfficerScope, below), and the map's own queryset is scoped by it.
SCOPE_CACHE_ATTR = "_poverty_tracker_area_codes"


def sees_everything(user):
    return bool(user and user.is_active and user.is_superuser)


def visible_area_codes(user):
    """The codes of every area the user may see, or None when the user sees everything.

    Computed once per user object (one query per tree level), then cached on it.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if sees_everything(user):
        return None
    cached = getattr(user, SCOPE_CACHE_ATTR, None)
    if cached is not None:
        return cached
    result = frozenset(codes_under(OfficerScope.objects.filter(user=user).values_list("area_id", flat=True)))
    setattr(user, SCOPE_CACHE_ATTR, result)
    return result


def forget_scope(user):
    """Drop the cached scope (after the user's scope rows change)."""
    if hasattr(user, SCOPE_CACHE_ATTR):
        delattr(user, SCOPE_CACHE_ATTR)


def can_see_area(user, area_code):
    codes = visible_area_codes(user)
    return codes is None or area_code in codes


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows the path from its rows to their commune (`scope_path`)."""

    scope_path = None  # e.g. "commune", "household__commune"

    def visible_to(self, user):
        codes = visible_area_codes(user)
        if codes is None:
            return self
        if not codes:
            return self.none()
        return self.filter(**{f"{self.scope_path}__in": codes})


class AdministrativeUnitQuerySet(ScopedQuerySet):
    scope_path = "code"

    def communes(self):
        return self.filter(level=Level.COMMUNE)

    def valid_on(self, day):
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=day),
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day),
        )

    def valid_in_year(self, year):
        """Units that existed at some point of the year (a report for a year uses those units)."""
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=datetime.date(year, 12, 31)),
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=datetime.date(year, 1, 1)),
        )

    def search(self, text):
        return self.filter(search_name__contains=search_key(text)) if text else self


def unit_label(kind, name):
    if not kind or name.lower().startswith(kind.lower()):
        return name
    return f"{kind.capitalize()} {name}"


def unit_search_key(kind, name):
    """What a search for the unit matches: its name alone ("2", "dak to") or as labelled ("thon 2")."""
    return search_key(unit_label(kind, name))


def codes_under(codes):
    """The given codes and every unit under them now, once (dated versions) or merged into them (successors).

    One query per tree level. This is the walk of the scoping door and of every "this area and below" filter.
    """
    codes = set(codes)
    frontier = set(codes)
    while frontier:
        children = set(
            AdministrativeUnit.objects.filter(models.Q(parent_id__in=frontier) | models.Q(successor_id__in=frontier))
            .values_list("code", flat=True)
        ) | set(AdministrativeUnitVersion.objects.filter(parent_id__in=frontier).values_list("unit_id", flat=True))
        frontier = children - codes
        codes |= frontier
    return codes


class AdministrativeUnit(models.Model):
    """One administrative unit, identified for life by its official code.

    The 2025 reform kept codes while renaming and re-parenting units; the current name, kind and
    parent live here, earlier ones in AdministrativeUnitVersion. A unit closed by a merger has a
    `valid_to` and names its `successor`.
    """

    code = models.CharField("mã", max_length=20, primary_key=True)
    name = models.CharField("tên", max_length=200)
    level = models.CharField("cấp", max_length=10, choices=Level.choices, db_index=True)
    kind = models.CharField("loại", max_length=40, choices=KIND_CHOICES)
    parent = models.ForeignKey(
        "self", verbose_name="đơn vị cấp trên", null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    urban_rule = models.CharField(
        "đô thị/nông thôn", max_length=10, choices=UrbanRule.choices, default=UrbanRule.BY_KIND
    )
    is_urban = models.BooleanField("đô thị", default=False, editable=False)
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    successor = models.ForeignKey(
        "self", verbose_name="đơn vị kế thừa", null=True, blank=True,
        on_delete=models.PROTECT, related_name="predecessors",
    )
    note = models.CharField("ghi chú", max_length=300, blank=True)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)

    history = HistoricalRecords(table_name="households_historicaladministrativeunit")
    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        db_table = "households_administrativeunit"  # tables kept their names when the app split (README)
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        ordering = ["code"]

    def __str__(self):
        return f"{self.label} ({self.code})"

    def save(self, *args, **kwargs):
        self.name = clean_text(self.name)
        self.search_name = unit_search_key(self.kind, self.name)
        if self.urban_rule == UrbanRule.BY_KIND:
            self.is_urban = KINDS.get(self.kind, (None, False))[1]
        else:
            self.is_urban = self.urban_rule == UrbanRule.URBAN
        super().save(*args, **kwargs)

    @property
    def label(self):
        """The unit as people say it: "Thôn 2", "Tổ dân phố 1", "Xã Đăk Tô" (a village is never just "2")."""
        return unit_label(self.kind, self.name)

    def clean(self):
        errors = {}
        if self.kind and KINDS.get(self.kind, (self.level,))[0] != self.level:
            errors["kind"] = f"Loại “{self.kind}” không thuộc cấp {self.get_level_display()}."
        if self.parent_id:
            if self.parent_id == self.code:
                errors["parent"] = "Một đơn vị không thể là cấp trên của chính nó."
            elif self.parent and LEVEL_DEPTH[self.parent.level] >= LEVEL_DEPTH[self.level]:
                errors["parent"] = "Đơn vị cấp trên phải ở cấp cao hơn."
        elif self.level and self.level != Level.PROVINCE:
            errors["parent"] = "Đơn vị dưới cấp tỉnh phải có đơn vị cấp trên."
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."
        if self.successor_id and not self.valid_to and self.successor_id != self.code:
            errors["valid_to"] = "Đơn vị có đơn vị kế thừa phải có ngày hết hiệu lực."
        if errors:
            raise ValidationError(errors)

    @property
    def area_type(self):
        return "urban" if self.is_urban else "rural"

    def is_valid_on(self, day):
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    def closed_message(self, day):
        """Why nothing new may be placed in the unit on `day`, "" when it is in force that day. The 2025 reform
        closed units; what they held went to their successor, which is named so the officer knows where to go."""
        if self.is_valid_on(day):
            return ""
        if self.valid_from is not None and day < self.valid_from:
            return f"{self.label} ({self.code}) chỉ có từ ngày {self.valid_from:%d/%m/%Y}."
        message = f"{self.label} ({self.code}) không còn từ ngày {self.valid_to + datetime.timedelta(days=1):%d/%m/%Y}"
        if self.successor_id:
            return f"{message}: đã nhập vào {self.successor.label} ({self.successor_id})."
        return f"{message}."


def overlapping_period(periods):
    """The index of the first of `periods` ((valid_from, valid_to) of one unit's versions, None: open) that
    overlaps the one before it once sorted by start, else None. A unit is in one state on any day: the reports'
    placement joins the version in force on a day and would count a household twice otherwise."""
    ordered = sorted(range(len(periods)), key=lambda i: periods[i][0] or datetime.date.min)
    for before, after in zip(ordered, ordered[1:], strict=False):
        end, start = periods[before][1], periods[after][0]
        if end is None or start is None or start <= end:
            return after
    return None


class AdministrativeUnitVersion(models.Model):
    """The name, kind and parent a unit had over a period (kept when the reform changed them)."""

    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name="đơn vị", on_delete=models.CASCADE, related_name="versions"
    )
    valid_from = models.DateField("từ ngày", null=True, blank=True)
    valid_to = models.DateField("đến ngày", null=True, blank=True)
    name = models.CharField("tên", max_length=200)
    kind = models.CharField("loại", max_length=40, choices=KIND_CHOICES)
    parent = models.ForeignKey(
        AdministrativeUnit, verbose_name="đơn vị cấp trên", null=True, blank=True,
        on_delete=models.PROTECT, related_name="former_children",
    )
    note = models.CharField("ghi chú", max_length=300, blank=True)

    class Meta:
        db_table = "households_administrativeunitversion"
        verbose_name = "lịch sử tên, loại, cấp trên"
        verbose_name_plural = "lịch sử tên, loại, cấp trên"
        ordering = ["unit", models.F("valid_from").asc(nulls_first=True)]
        constraints = [
            models.UniqueConstraint(fields=["unit", "valid_from"], name="unique_unit_version_start"),
        ]

    def __str__(self):
        start = self.valid_from or "…"
        end = self.valid_to or "nay"
        return f"{self.unit_id}: {self.kind} {self.name} ({start} – {end})"


class OfficerScope(models.Model):
    """An area a user works in. The scoping door (areas/scoping.py) walks the map down from these rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="tài khoản", on_delete=models.CASCADE,
        related_name="area_scopes",
    )
    area = models.ForeignKey(
        AdministrativeUnit, verbose_name="địa bàn", on_delete=models.PROTECT, related_name="officer_scopes"
    )

    class Meta:
        db_table = "households_officerscope"
        verbose_name = "địa bàn phụ trách"
        verbose_name_plural = "địa bàn phụ trách"
        constraints = [models.UniqueConstraint(fields=["user", "area"], name="unique_officer_area")]

    def __str__(self):
        return f"{self.user} → {self.area}"
