"""Ethnic groups, households and their members."""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from areas.models import AdministrativeUnit, Level
from areas.scoping import ScopedQuerySet, visible_area_codes
from core.text import clean_text, compact_key, search_key
from core.versioning import VersionedModel


class EthnicGroupQuerySet(models.QuerySet):
    def matching(self, text):
        """The groups `text` names as people write it (the admin's search and pickers, the API's filters): by code
        (14; "1" for 01) or a part of the name, hyphens, spaces, case and diacritics ignored ("xo dang": Xơ-đăng)."""
        term, key = clean_text(text), compact_key(text)
        code = models.Q(code=term.zfill(2)) if term.isdigit() else models.Q(pk__in=[])
        return self.filter(models.Q(search_name__contains=key) | code) if key else self.none()


class EthnicGroup(models.Model):
    """The 54 ethnic groups, coded by decision 121-TCTK/PPCĐ (1979): Kinh 01, Xơ Đăng 14 ..."""

    code = models.CharField("mã (121-TCTK)", max_length=4, primary_key=True)
    name = models.CharField("tên dân tộc", max_length=100, unique=True)
    is_minority = models.BooleanField("dân tộc thiểu số", default=True)
    search_name = models.CharField(max_length=100, editable=False, db_index=True)  # compact_key: "xodang"

    objects = EthnicGroupQuerySet.as_manager()

    class Meta:
        verbose_name = "dân tộc"
        verbose_name_plural = "dân tộc"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = clean_text(self.name)
        self.search_name = compact_key(self.name)
        super().save(*args, **kwargs)


def household_search_text(code, head_name, member_names=()):
    """The one search key of a household: its code, the head's name and every member's name, accents and case
    folded (the household list's search reads it). Pages, services, the import and the demo all call this."""
    return search_key(" ".join([code, head_name, *member_names]))


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", "Đang cư trú"
    MOVED = "moved", "Đã chuyển đi"
    DISSOLVED = "dissolved", "Đã giải thể"
    MERGED = "merged", "Đã nhập vào hộ khác"  # its members joined another household (households.moves)


class Livelihood(models.TextChoices):
    """The household's main livelihood. Decision 24/2021/QĐ-TTg defines "hộ có mức sống trung bình" only for
    households living from agriculture, forestry, fishery or salt-making (FARM_LIVELIHOODS)."""

    AGRICULTURE = "agriculture", "Nông nghiệp"
    FORESTRY = "forestry", "Lâm nghiệp"
    FISHERY = "fishery", "Ngư nghiệp"
    SALT = "salt", "Diêm nghiệp"
    OTHER = "other", "Ngành nghề khác"


FARM_LIVELIHOODS = (Livelihood.AGRICULTURE, Livelihood.FORESTRY, Livelihood.FISHERY, Livelihood.SALT)


class HouseholdQuerySet(ScopedQuerySet):
    scope_path = "commune"

    def active(self):
        return self.filter(status=HouseholdStatus.ACTIVE)

    def search(self, text):
        """Match code, head's name or any member's name, ignoring case and diacritics."""
        key = search_key(text)
        return self.filter(search_text__contains=key) if key else self

    def formed_by_split(self, first=None, last=None):
        """Households founded by a split (households.moves), dated from `first` to `last` when given."""
        dates = {key: day for key, day in (("events_in__date__gte", first), ("events_in__date__lte", last)) if day}
        return self.filter(events_in__kind="split", **dates)


def present_during(first, last) -> models.Q:
    """Households on the register at some day from `first` to `last`, by the register's dates: registered by
    `last` and not left before `first` (the condition on Household rows; review.placement adds the year's
    review to it)."""
    return models.Q(registered_on__lte=last) & (models.Q(left_on__isnull=True) | models.Q(left_on__gte=first))


def placement_errors(commune, village, stored=(None, None), day=None):
    """{field: message} when a household is newly placed (registered, moved, imported) in a commune or village
    that is not in force on `day` (today). One already there (`stored`: its stored commune and village codes)
    may stay until an officer moves it: its other details stay editable."""
    day = day or datetime.date.today()
    errors = {}
    for field, unit, before in (("commune", commune, stored[0]), ("village", village, stored[1])):
        message = unit.closed_message(day) if unit is not None and unit.code != before else ""
        if message:
            errors[field] = message
    return errors


class Household(VersionedModel):
    code = models.CharField(
        "mã hộ", max_length=30, unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z._/-]+$", "Mã hộ chỉ gồm chữ không dấu, số và . _ / -")],
    )
    commune = models.ForeignKey(
        AdministrativeUnit, verbose_name="xã/phường", on_delete=models.PROTECT,
        related_name="households", limit_choices_to={"level": Level.COMMUNE},
    )
    village = models.ForeignKey(
        AdministrativeUnit, verbose_name="thôn/làng", on_delete=models.PROTECT, null=True, blank=True,
        related_name="village_households", limit_choices_to={"level": Level.VILLAGE},
    )
    head_name = models.CharField("họ tên chủ hộ", max_length=150)
    ethnic_group = models.ForeignKey(
        EthnicGroup, verbose_name="dân tộc (chủ hộ)", on_delete=models.PROTECT, related_name="households"
    )
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    phone = models.CharField(
        "điện thoại", max_length=15, blank=True,
        validators=[RegexValidator(r"^\+?[0-9 .]{8,15}$", "Số điện thoại chỉ gồm chữ số (8–15 số).")],
    )
    status = models.CharField(
        "tình trạng", max_length=10, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE,
        db_index=True,
    )
    livelihood = models.CharField(
        "sinh kế chính", max_length=12, choices=Livelihood.choices, default=Livelihood.AGRICULTURE,
        help_text="Chỉ hộ nông, lâm, ngư, diêm nghiệp được đề nghị công nhận hộ có mức sống trung bình (theo "
                  "đơn, thủ tục riêng).")
    registered_on = models.DateField("ngày đăng ký", default=datetime.date.today)
    left_on = models.DateField("ngày chuyển đi/giải thể", null=True, blank=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text", "updated_at"])
    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = "hộ gia đình"
        verbose_name_plural = "hộ gia đình"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["commune", "status"]),
            models.Index(fields=["village"]),
        ]

    def __str__(self):
        return f"{self.code} – {self.head_name}"

    def clean(self):
        errors = {}
        if self.commune_id and self.commune.level != Level.COMMUNE:
            errors["commune"] = "Hãy chọn một xã, phường hoặc thị trấn."
        if self.village_id:
            if self.village.level != Level.VILLAGE:
                errors["village"] = "Hãy chọn một thôn, làng hoặc tổ dân phố."
            elif self.commune_id and self.village.parent_id != self.commune_id:
                errors["village"] = "Thôn này không thuộc xã/phường đã chọn."
        if self.left_on and self.status == HouseholdStatus.ACTIVE:
            errors["left_on"] = "Hộ đang cư trú thì không có ngày chuyển đi."
        if self.status == HouseholdStatus.MERGED and not Household.objects.filter(
                pk=self.pk, status=HouseholdStatus.MERGED).exists():
            errors["status"] = "“Đã nhập vào hộ khác” do thao tác Nhập hộ ghi (cùng ngày và hộ đến), không chọn ở đây."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.code = clean_text(self.code)
        self.head_name = clean_text(self.head_name)
        self.address = clean_text(self.address)
        if not self.search_text:
            self.search_text = household_search_text(self.code, self.head_name)
        super().save(*args, **kwargs)

    @property
    def origin(self):
        """The split that founded this household, or None."""
        return self.events_in.filter(kind="split").select_related("source").first()

    def refresh_search_text(self):
        """Recompute the search key from code, head and every member's name (one UPDATE)."""
        names = list(self.members.values_list("full_name", flat=True))
        text = household_search_text(self.code, self.head_name, names)
        Household.objects.filter(pk=self.pk).update(search_text=text)
        self.search_text = text


class Gender(models.TextChoices):
    MALE = "male", "Nam"
    FEMALE = "female", "Nữ"


class Relation(models.TextChoices):
    HEAD = "head", "Chủ hộ"
    SPOUSE = "spouse", "Vợ/chồng"
    CHILD = "child", "Con"
    PARENT = "parent", "Bố/mẹ"
    GRANDCHILD = "grandchild", "Cháu"
    SIBLING = "sibling", "Anh/chị/em"
    OTHER = "other", "Khác"


class MemberQuerySet(ScopedQuerySet):
    scope_path = "household__commune"


national_id_validator = RegexValidator(
    r"^\d{12}$", "Số CCCD phải gồm đúng 12 chữ số (ví dụ 062190001234)."
)


class Member(VersionedModel):
    household = models.ForeignKey(
        Household, verbose_name="hộ", on_delete=models.CASCADE, related_name="members"
    )
    full_name = models.CharField("họ và tên", max_length=150)
    gender = models.CharField("giới tính", max_length=6, choices=Gender.choices, blank=True)
    birth_date = models.DateField("ngày sinh", null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField("năm sinh", null=True, blank=True)
    ethnic_group = models.ForeignKey(
        EthnicGroup, verbose_name="dân tộc", on_delete=models.PROTECT, related_name="members"
    )
    relation_to_head = models.CharField("quan hệ với chủ hộ", max_length=12, choices=Relation.choices)
    national_id = models.CharField(
        "số CCCD", max_length=12, null=True, blank=True, unique=True, validators=[national_id_validator]
    )
    has_disability = models.BooleanField("khuyết tật", default=False)
    is_meritorious = models.BooleanField("người có công", default=False)
    is_social_protection = models.BooleanField("đối tượng bảo trợ xã hội", default=False)
    # The per-member flag behind the derived "no labour capacity" of a household-year (review.labour):
    # unticked for a member of working age who cannot work (severe disability, serious illness).
    has_labour_capacity = models.BooleanField(
        "có khả năng lao động", default=True,
        help_text="Bỏ chọn nếu người trong độ tuổi lao động không thể lao động (khuyết tật nặng, bệnh nặng…).")
    search_name = models.CharField(max_length=150, editable=False, default="", db_index=True)

    history = HistoricalRecords(excluded_fields=["search_name"])
    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "nhân khẩu"
        verbose_name_plural = "nhân khẩu"
        ordering = ["household", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=models.Q(relation_to_head="head"),
                name="one_head_per_household",
                violation_error_message="Mỗi hộ chỉ có một chủ hộ.",
            ),
        ]
        # the suspected duplicates' key: same name, birth year and sex (households.duplicates)
        indexes = [models.Index(fields=["search_name", "birth_year", "gender"], name="member_person_key")]

    def __str__(self):
        return self.full_name

    def clean(self):
        errors = {}
        today = datetime.date.today()
        if self.birth_date:
            if self.birth_date > today:
                errors["birth_date"] = "Ngày sinh không thể ở tương lai."
            elif self.birth_date.year < today.year - 120:
                errors["birth_date"] = "Ngày sinh quá xa (hơn 120 năm trước): hãy kiểm tra lại."
            elif self.birth_year and self.birth_year != self.birth_date.year:
                errors["birth_year"] = "Năm sinh không khớp với ngày sinh."
        if self.birth_year and not self.birth_date:
            if self.birth_year > today.year:
                errors["birth_year"] = "Năm sinh không thể ở tương lai."
            elif self.birth_year < today.year - 120:
                errors["birth_year"] = "Năm sinh quá xa (hơn 120 năm trước): hãy kiểm tra lại."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.full_name = clean_text(self.full_name)
        self.search_name = search_key(self.full_name)
        self.national_id = clean_text(self.national_id) or None
        if self.birth_date:
            self.birth_year = self.birth_date.year
        super().save(*args, **kwargs)

    @property
    def age(self):
        return datetime.date.today().year - self.birth_year if self.birth_year else None


class MoveKind(models.TextChoices):
    SPLIT = "split", "Tách hộ"
    JOIN = "join", "Nhập hộ"


class EitherSideQuerySet(ScopedQuerySet):
    """Rows naming two households (or members): visible when either side is in the user's areas."""

    sides = ()

    def visible_to(self, user):
        codes = visible_area_codes(user)
        if codes is None:
            return self
        condition = models.Q()
        for side in self.sides:
            condition |= models.Q(**{f"{side}__in": codes})
        return self.filter(condition) if codes else self.none()


class HouseholdEventQuerySet(EitherSideQuerySet):
    sides = ("source__commune", "target__commune")


class HouseholdEvent(models.Model):
    """A split (members found a new household, `target`, whose origin this is) or a join (members move into an
    existing household; the source, emptied, is merged): one recorded event, written by households.moves."""

    kind = models.CharField("loại", max_length=5, choices=MoveKind.choices)
    date = models.DateField("ngày")
    reason = models.CharField("lý do", max_length=300)
    source = models.ForeignKey(Household, verbose_name="hộ đi", on_delete=models.PROTECT, related_name="events_out")
    target = models.ForeignKey(Household, verbose_name="hộ đến", on_delete=models.PROTECT, related_name="events_in")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = HouseholdEventQuerySet.as_manager()

    class Meta:
        verbose_name = "tách, nhập hộ"
        verbose_name_plural = "tách, nhập hộ"
        ordering = ["-date", "-pk"]
        constraints = [models.UniqueConstraint(fields=["target"], condition=models.Q(kind="split"),
                                               name="one_origin_per_household")]

    def __str__(self):  # titles and links: the households are named only where the reader may see them
        return f"{self.get_kind_display()} ngày {self.date:%d/%m/%Y}"


class MemberMove(models.Model):
    """A member moved by an event, with the name and relations of that day (the member's history says the rest)."""

    event = models.ForeignKey(HouseholdEvent, on_delete=models.CASCADE, related_name="moves")
    member = models.ForeignKey(Member, verbose_name="nhân khẩu", on_delete=models.SET_NULL, null=True,
                               related_name="moves")
    full_name = models.CharField("họ và tên", max_length=150)
    relation_before = models.CharField("quan hệ ở hộ đi", max_length=12, choices=Relation.choices)
    relation_after = models.CharField("quan hệ ở hộ đến", max_length=12, choices=Relation.choices)

    class Meta:
        verbose_name = "người chuyển hộ"
        verbose_name_plural = "người chuyển hộ"
        ordering = ["event", "pk"]

    def __str__(self):
        return self.full_name


class DistinctPersonsQuerySet(EitherSideQuerySet):
    sides = ("first__household__commune", "second__household__commune")


class DistinctPersons(models.Model):
    """Two members suspected to be one person (households.duplicates) that an officer found to be two people."""

    first = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người xác định", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("lúc", auto_now_add=True)
    note = models.CharField("ghi chú", max_length=300, blank=True)

    history = HistoricalRecords()
    objects = DistinctPersonsQuerySet.as_manager()

    class Meta:
        verbose_name = "hai người khác nhau"
        verbose_name_plural = "hai người khác nhau"
        constraints = [models.UniqueConstraint(fields=["first", "second"], name="distinct_persons_once"),
                       models.CheckConstraint(condition=models.Q(first__lt=models.F("second")),
                                              name="distinct_persons_ordered")]

    def __str__(self):
        return f"{self.first_id} ≠ {self.second_id}"
