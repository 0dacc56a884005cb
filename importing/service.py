"""households_import: read every sheet, check every row, then write everything in one transaction or nothing.

Matching: households by Mã hộ, members by household + national ID or name + birth year, review results by
household + year. Lookups are bulk (a constant number of queries per 5,000 rows), writes are bulk with their
audit rows, the change reason naming the file. Classification and movements use the same rule as hand entry.
"""
import datetime
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from simple_history.utils import bulk_update_with_history

from accounts.models import can_edit
from areas.models import AdministrativeUnit
from areas.scoping import visible_area_codes
from core.bulk import insert_with_history
from core.text import clean_text, search_key
from households.models import EthnicGroup, Household, Member, Relation
from importing import cells
from importing.reading import (
    HOUSEHOLDS,
    MEMBERS,
    REVIEWS,
    SHEETS,
    FileRefused,
    Issue,
    check_upload,
    header_key,
    open_workbook,
    read_sheet,
)
from review.classification import classify, movements_over_years
from review.models import Assessment, Indicator, PovertyStandard, ReviewRound, RoundStatus, deprivation_key
from review.services import all_lines, write_derived

CHUNK = 5000
KINDS = ("households", "members", "assessments")
RELATIONS = {search_key(label): value for value, label in Relation.choices}
RELATIONS.update({"chu ho": Relation.HEAD, "vo": Relation.SPOUSE, "chong": Relation.SPOUSE, "con": Relation.CHILD,
                  "bo": Relation.PARENT, "me": Relation.PARENT, "chau": Relation.GRANDCHILD})


@dataclass
class ImportResult:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    committed: bool = False

    def as_dict(self):
        return {
            "created": {k: self.created[k] for k in KINDS}, "updated": {k: self.updated[k] for k in KINDS},
            "unchanged": {k: self.unchanged[k] for k in KINDS},
            "errors": [issue.as_dict() for issue in self.errors], "notices": self.notices,
            "committed": self.committed,
        }


class _Abort(Exception):
    pass


def chunked(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def households_import(*, acting_user, path, filename, dry_run=False, size=None, progress=None):
    """Import the workbook at `path`. Returns an ImportResult; writes only when there is no error.
    `progress(phase, done, total)`, when given, hears how far the check and the writing have come."""
    result = ImportResult()
    try:
        if not can_edit(acting_user):
            raise FileRefused("Tài khoản của bạn chỉ được xem, không được nhập dữ liệu.")
        check_upload(filename, size if size is not None else _size(path))
        workbook = open_workbook(path)
    except FileRefused as error:
        result.errors.append(Issue("", None, None, str(error)))
        return result
    try:
        job = _Job(acting_user, filename, result, progress)
        try:
            sheets = {name: read_sheet(workbook, name, result.errors) for name in SHEETS}
        except FileRefused as error:  # a sheet too big to read, or not readable: nothing more to check
            result.errors[:] = [Issue("", None, None, str(error))]
            raise _Abort from error
        if not any(sheets.values()) and not result.errors:
            result.errors.append(Issue("", None, None, "Không thấy trang tính nào tên “Hộ gia đình”, “Nhân khẩu” "
                                                       "hoặc “Rà soát”."))
        for sheet in sheets.values():
            if sheet and sheet.name != REVIEWS:
                for header in sheet.extra:
                    result.notices.append(f"Trang “{sheet.name}”: bỏ qua cột không dùng “{header}”.")
        # Every usable sheet is still read, so the officer gets all the errors of the file at once.
        with transaction.atomic():
            job.households(sheets[HOUSEHOLDS])
            job.members(sheets[MEMBERS])
            job.reviews(sheets[REVIEWS])
            if result.errors:
                raise _Abort
            if dry_run:
                raise _Abort
            job.write()
            result.committed = True
    except _Abort:
        pass
    finally:
        workbook.close()
    return result


def _ethnic_key(name):
    """"Xơ Đăng", "xo-dang" and "Xơ-đăng" are one group."""
    return search_key(name).replace("-", "").replace(" ", "")


def _size(path):
    return os.path.getsize(path)


class _Job:
    def __init__(self, user, filename, result, progress=None):
        self.user = user
        self.progress = progress or (lambda phase, done, total: None)
        self.filename = filename
        self.reason = f"Nhập từ tệp {filename}"[:100]
        self.result = result
        self.scope = visible_area_codes(user)
        self.ethnic = EthnicGroup.objects.in_bulk()
        self.ethnic_by_name = {_ethnic_key(group.name): group for group in self.ethnic.values()}
        self.households_by_code = {}  # code -> Household (existing or new), only ever the officer's own
        self.looked_up = set()  # codes already looked up in the database
        self.new_households, self.changed_households = [], []
        self.new_members, self.changed_members = [], []
        self.new_assessments, self.changed_assessments = [], []
        self.heads_in_file = set()

    def error(self, sheet, row, column, message):
        self.result.errors.append(Issue(sheet, row, column, message))

    def _cell(self, sheet, number, values, name, parse, column_field=None):
        index = sheet.columns.get(name)
        if index is None:
            return None
        raw = values[index] if index < len(values) else None
        try:
            return parse(raw)
        except cells.CellError as error:
            label = SHEETS[sheet.name][name][0]
            self.error(sheet.name, number, label, str(error))
            raise

    def _ethnic(self, raw):
        value = cells.text(raw)
        if not value:
            return None
        group = self.ethnic.get(value.zfill(2) if value.isdigit() else value) or self.ethnic_by_name.get(_ethnic_key(value))
        if group is None:
            raise cells.CellError(f"Không có dân tộc “{value}” (ghi tên hoặc mã 121-TCTK, ví dụ 14 hoặc Xơ Đăng).")
        return group

    def _rows(self, sheet):
        """The sheet's rows, telling `progress` every 1,000 rows."""
        phase = f"Đang kiểm tra trang “{sheet.name}”"
        count = 0
        for count, row in enumerate(sheet.rows, start=1):
            if count % 1000 == 0:
                self.progress(phase, count, max(count, sheet.total))
            yield row
        self.progress(phase, count, count)

    def _writing(self, label):
        return lambda done, total: self.progress(f"Đang ghi vào sổ: {label}", done, total)

    # -- households ------------------------------------------------------------------------------------
    def households(self, sheet):
        if sheet is None:
            return
        parsed, seen = [], {}
        for number, values in self._rows(sheet):
            try:
                row = {name: self._cell(sheet, number, values, name, parser) for name, parser in (
                    ("code", cells.text), ("head_name", cells.text), ("commune", cells.code),
                    ("village", cells.text), ("ethnic_group", self._ethnic), ("address", cells.text))}
            except cells.CellError:
                continue
            missing = [SHEETS[HOUSEHOLDS][name][0] for name in ("code", "head_name", "commune", "ethnic_group")
                       if not row.get(name)]
            for label in missing:
                self.error(HOUSEHOLDS, number, label, "Ô bắt buộc đang trống.")
            if missing:
                continue
            if row["code"] in seen:
                self.error(HOUSEHOLDS, number, "Mã hộ", f"Mã hộ {row['code']} lặp lại (đã có ở dòng {seen[row['code']]}).")
                continue
            seen[row["code"]] = number
            parsed.append((number, row))
        communes = {row["commune"] for _, row in parsed}
        units = AdministrativeUnit.objects.in_bulk(list(communes))
        villages = defaultdict(dict)
        for village in AdministrativeUnit.objects.filter(level="village", parent_id__in=communes):
            villages[village.parent_id][village.code] = village
            villages[village.parent_id][search_key(village.name)] = village
            villages[village.parent_id][search_key(f"{village.get_kind_display()} {village.name}")] = village
        existing = {}
        for codes in chunked([row["code"] for _, row in parsed]):
            existing.update({h.code: h for h in Household.objects.filter(code__in=codes)})
        for number, row in parsed:
            commune = units.get(row["commune"])
            if commune is None or commune.level != "commune":
                self.error(HOUSEHOLDS, number, "Mã xã", f"Không có xã/phường mã {row['commune']}.")
                continue
            if not self._in_scope(commune.code):
                self.error(HOUSEHOLDS, number, "Mã xã", f"Xã {commune.code} không thuộc địa bàn của bạn.")
                continue
            village = None
            if row["village"]:
                village = villages[commune.code].get(row["village"]) or villages[commune.code].get(search_key(row["village"]))
                if village is None:
                    self.error(HOUSEHOLDS, number, "Thôn", f"Không có thôn “{row['village']}” trong xã {commune.code}.")
                    continue
            household = existing.get(row["code"])
            if household is not None and not self._in_scope(household.commune_id):
                # the code is taken outside the officer's area: say only that it cannot be used here
                self.error(HOUSEHOLDS, number, "Mã hộ", f"Không dùng được mã hộ {row['code']} trong địa bàn của bạn: "
                                                        "hãy dùng mã khác.")
                continue
            values = {"commune_id": commune.code, "village_id": village.code if village else None,
                      "head_name": clean_text(row["head_name"]), "ethnic_group_id": row["ethnic_group"].code,
                      "address": row["address"] or ""}
            if household is None:
                household = Household(code=row["code"], registered_on=datetime.date.today(), **values)
                try:
                    # field rules only: duplicates and places were checked above, in bulk, not row by row
                    household.clean_fields(exclude=["version", "commune", "village", "ethnic_group", "search_text"])
                except ValidationError as error:
                    for field_name, messages in error.message_dict.items():
                        self.error(HOUSEHOLDS, number, "Mã hộ" if field_name == "code" else field_name,
                                   "; ".join(messages))
                    continue
                household._row = number
                self.new_households.append(household)
                self.result.created["households"] += 1
            elif any(getattr(household, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(household, key, value)
                self.changed_households.append(household)
                self.result.updated["households"] += 1
            else:
                self.result.unchanged["households"] += 1
            self.households_by_code[row["code"]] = household

    def _in_scope(self, commune_code):
        """The rule of hand entry: a household is the officer's when its commune is in the officer's area."""
        return self.scope is None or commune_code in self.scope

    def _household(self, sheet_name, number, code):
        """The household a row of the members or review sheet names: one of the file's or a stored one, in
        the officer's area. Any other code, stored elsewhere or nowhere, gets the same answer."""
        self._preload([code])
        household = self.households_by_code.get(code)
        if household is None:
            self.error(sheet_name, number, "Mã hộ",
                       f"Không có hộ mã {code} trong địa bàn của bạn (trong tệp hoặc trong sổ).")
        return household

    def _preload(self, codes):
        """Look up the stored households of `codes` (once each); only those in the officer's area are kept."""
        missing = [code for code in codes if code not in self.households_by_code and code not in self.looked_up]
        self.looked_up.update(missing)
        for group in chunked(missing):
            for household in Household.objects.filter(code__in=group):
                if self._in_scope(household.commune_id):
                    self.households_by_code[household.code] = household

    # -- members ---------------------------------------------------------------------------------------
    def members(self, sheet):
        rows = []
        if sheet is not None:
            for number, values in self._rows(sheet):
                try:
                    row = {name: self._cell(sheet, number, values, name, parser) for name, parser in (
                        ("household", cells.text), ("full_name", cells.text), ("gender", cells.gender),
                        ("birth_year", lambda v: cells.integer(v, minimum=1900)), ("ethnic_group", self._ethnic),
                        ("relation", cells.text), ("national_id", cells.text))}
                except cells.CellError:
                    continue
                if not row["household"] or not row["full_name"]:
                    for name, label in (("household", "Mã hộ"), ("full_name", "Họ tên")):
                        if not row[name]:
                            self.error(MEMBERS, number, label, "Ô bắt buộc đang trống.")
                    continue
                relation = RELATIONS.get(search_key(row["relation"] or "khac"), Relation.OTHER)
                row["relation"] = relation
                rows.append((number, row))
        self._preload({row["household"] for _, row in rows})
        existing = defaultdict(list)
        known_ids = {}
        ids = [h.pk for h in self.households_by_code.values() if h.pk]
        for group in chunked(ids):
            for member in Member.objects.filter(household_id__in=group):
                existing[member.household_id].append(member)
        for group in chunked([row["national_id"] for _, row in rows if row["national_id"]]):
            for national_id, code, commune in Member.objects.filter(national_id__in=group).values_list(
                    "national_id", "household__code", "household__commune_id"):
                known_ids[national_id] = (code, self._in_scope(commune))
        heads = defaultdict(list)
        seen_ids = {}
        for number, row in rows:
            household = self._household(MEMBERS, number, row["household"])
            if household is None:
                continue
            if row["relation"] == Relation.HEAD:
                heads[row["household"]].append(number)
            national_id = row["national_id"] or None
            if national_id:
                if not national_id.isdigit() or len(national_id) != 12:
                    self.error(MEMBERS, number, "Số CCCD", "Số CCCD phải gồm đúng 12 chữ số.")
                    continue
                if national_id in seen_ids:
                    self.error(MEMBERS, number, "Số CCCD", f"Số CCCD lặp lại (dòng {seen_ids[national_id]}).")
                    continue
                seen_ids[national_id] = number
                owner, visible = known_ids.get(national_id, (row["household"], True))
                if owner != row["household"]:
                    # a household outside the officer's area is never named, nor said to exist
                    self.error(MEMBERS, number, "Số CCCD", f"Số CCCD này đã thuộc hộ {owner}." if visible
                               else "Không dùng được số CCCD này: hãy kiểm tra lại.")
                    continue
            year = row["birth_year"]
            if year is not None and year > datetime.date.today().year:
                self.error(MEMBERS, number, "Năm sinh", "Năm sinh không thể ở tương lai.")
                continue
            ethnic = row["ethnic_group"] or (self.ethnic.get(household.ethnic_group_id) if household.ethnic_group_id else None)
            values = {"full_name": row["full_name"], "gender": row["gender"], "birth_year": year,
                      "ethnic_group_id": ethnic.code if ethnic else "01", "relation_to_head": row["relation"],
                      "national_id": national_id}
            match = self._match_member(existing.get(household.pk, []) if household.pk else [], values)
            if match is None:
                member = Member(household=household, search_name=search_key(values["full_name"]), **values)
                self.new_members.append(member)
                self.result.created["members"] += 1
            elif any(getattr(match, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(match, key, value)
                match.search_name = search_key(match.full_name)
                self.changed_members.append(match)
                self.result.updated["members"] += 1
            else:
                self.result.unchanged["members"] += 1
        for code, numbers in heads.items():
            if len(numbers) > 1:
                self.error(MEMBERS, numbers[1], "Quan hệ với chủ hộ",
                           f"Hộ {code} có {len(numbers)} chủ hộ (dòng {', '.join(map(str, numbers))}): chỉ được một.")
        self.heads_in_file = set(heads)
        self._heads_from_household_sheet(existing)

    @staticmethod
    def _match_member(candidates, values):
        for member in candidates:
            if values["national_id"] and member.national_id == values["national_id"]:
                return member
        for member in candidates:
            if search_key(member.full_name) == search_key(values["full_name"]) and (
                    member.birth_year == values["birth_year"] or values["birth_year"] is None):
                return member
        return None

    def _heads_from_household_sheet(self, existing):
        """A household whose head is not on the members sheet gets one from “Họ tên chủ hộ”."""
        for household in self.new_households:
            if household.code not in self.heads_in_file:
                self.new_members.append(Member(
                    household=household, full_name=household.head_name, search_name=search_key(household.head_name),
                    ethnic_group_id=household.ethnic_group_id, relation_to_head=Relation.HEAD))
                self.result.created["members"] += 1
        for household in self.changed_households:
            if household.code in self.heads_in_file:
                continue
            head = next((m for m in existing.get(household.pk, []) if m.relation_to_head == Relation.HEAD), None)
            if head and (head.full_name != household.head_name or head.ethnic_group_id != household.ethnic_group_id):
                head.full_name, head.ethnic_group_id = household.head_name, household.ethnic_group_id
                head.search_name = search_key(head.full_name)
                if head not in self.changed_members:
                    self.changed_members.append(head)
                    self.result.updated["members"] += 1

    # -- review results --------------------------------------------------------------------------------
    def reviews(self, sheet):
        if sheet is None:
            return
        standards = {}
        indicators = defaultdict(dict)  # standard id -> {header key: code}
        for indicator in Indicator.objects.select_related("standard"):
            by_header = indicators[indicator.standard_id]
            by_header[header_key(f"Chỉ số {indicator.code}")] = indicator.code
            by_header[header_key(indicator.name)] = indicator.code
        extra = {header_key(name): (name, index) for name, index in sheet.extra.items()}
        rows = []
        for number, values in self._rows(sheet):
            try:
                row = {name: self._cell(sheet, number, values, name, parser) for name, parser in (
                    ("household", cells.text), ("year", lambda v: cells.integer(v, minimum=2000)),
                    ("income", lambda v: cells.integer(v, minimum=0)), ("b1", lambda v: cells.integer(v, minimum=0)),
                    ("no_labour", cells.flag), ("meritorious", cells.flag))}
            except cells.CellError:
                continue
            if not row["household"] or not row["year"]:
                for name, label in (("household", "Mã hộ"), ("year", "Năm")):
                    if not row[name]:
                        self.error(REVIEWS, number, label, "Ô bắt buộc đang trống.")
                continue
            if row["income"] is None and row["b1"] is None:
                self.error(REVIEWS, number, "Thu nhập bình quân", "Cần thu nhập bình quân hoặc điểm B1.")
                continue
            year = row["year"]
            if year not in standards:
                standards[year] = PovertyStandard.objects.for_year(year).first()
            standard = standards[year]
            if standard is None:
                self.error(REVIEWS, number, "Năm", f"Không có chuẩn nghèo nào áp dụng cho năm {year}.")
                continue
            deprived, bad = [], False
            for key, (header, index) in extra.items():
                raw = values[index] if index < len(values) else None
                code = indicators[standard.id].get(key)
                try:
                    is_deprived = cells.flag(raw)
                except cells.CellError as error:
                    self.error(REVIEWS, number, header, str(error))
                    bad = True
                    continue
                if code is None:
                    if is_deprived or key.startswith("chi so"):
                        self.error(REVIEWS, number, header,
                                   f"Chuẩn {standard.code} của năm {year} không có chỉ số “{header}”.")
                        bad = True
                    continue
                if is_deprived:
                    deprived.append(code)
            if bad:
                continue
            rows.append((number, row, standard, deprived))
        self._preload({row["household"] for _, row, _, _ in rows})
        self._plan_assessments(rows)

    def _plan_assessments(self, rows):
        lines = all_lines()
        ids = [h.pk for h in self.households_by_code.values() if h.pk]
        existing = {}
        for group in chunked(ids):
            for assessment in Assessment.objects.filter(household_id__in=group):
                existing[(assessment.household_id, assessment.year)] = assessment
        pairs = {(h.commune_id, row["year"]) for _, row, _, _ in rows
                 for h in [self.households_by_code.get(row["household"])] if h}
        rounds = {}
        if pairs:
            condition = Q()
            for commune, year in pairs:
                condition |= Q(commune_id=commune, year=year)
            rounds = {(r.commune_id, r.year): r for r in ReviewRound.objects.filter(condition)}
        self.rounds, self.lines = rounds, lines
        urban = dict(AdministrativeUnit.objects.filter(code__in={c for c, _ in pairs}).values_list("code", "is_urban"))
        seen = {}
        for number, row, standard, deprived in rows:
            household = self._household(REVIEWS, number, row["household"])
            if household is None:
                continue
            key = (row["household"], row["year"])
            if key in seen:
                self.error(REVIEWS, number, "Năm", f"Hộ {key[0]} năm {key[1]} đã có ở dòng {seen[key]}.")
                continue
            seen[key] = number
            review_round = rounds.get((household.commune_id, row["year"]))
            current = existing.get((household.pk, row["year"])) if household.pk else None
            if current is not None and current.review_round_id:
                review_round = rounds.get((current.commune_id, current.year)) or current.review_round
            is_urban = current.is_urban if current else urban.get(household.commune_id, False)
            values = {"standard_id": standard.id, "income_per_capita": row["income"], "b1_score": row["b1"],
                      "deprivations": deprivation_key(deprived), "deprivation_count": len(set(deprived)),
                      "no_labour_capacity": bool(row["no_labour"]), "has_meritorious_member": bool(row["meritorious"]),
                      "is_ethnic_minority": self.ethnic[household.ethnic_group_id].is_minority}
            values["classification"] = classify(lines[(standard.id, is_urban)], deprivations=values["deprivation_count"],
                                                income=row["income"], b1_score=row["b1"])
            if current is not None and all(getattr(current, k) == v for k, v in values.items()):
                self.result.unchanged["assessments"] += 1
                continue
            if review_round is not None and review_round.status == RoundStatus.APPROVED:
                self.error(REVIEWS, number, "Năm", f"Đợt rà soát năm {row['year']} của xã {household.commune_id} đã "
                                                   "phê duyệt và đang khoá.")
                continue
            if current is None:
                assessment = Assessment(household=household, year=row["year"], commune_id=household.commune_id,
                                        village_id=household.village_id, is_urban=is_urban, **values)
                self.new_assessments.append(assessment)
                self.result.created["assessments"] += 1
            else:
                for key, value in values.items():
                    setattr(current, key, value)
                self.changed_assessments.append(current)
                self.result.updated["assessments"] += 1

    # -- writing ---------------------------------------------------------------------------------------
    def write(self):
        user, reason = self.user, self.reason
        if self.new_households:
            # New households get their search key from the names in the file: no second pass over them.
            names = defaultdict(list)
            for member in self.new_members:
                if member.household.pk is None:
                    names[member.household.code].append(member.full_name)
            for household in self.new_households:
                household.search_text = search_key(" ".join([household.code, household.head_name,
                                                             *names[household.code]]))
            insert_with_history(Household, self.new_households, user=user, reason=reason,
                                progress=self._writing("hộ gia đình"))
        if self.changed_households:
            for household in self.changed_households:
                household.version += 1
            bulk_update_with_history(self.changed_households, Household,
                                     ["commune_id", "village_id", "head_name", "ethnic_group_id", "address", "version"],
                                     batch_size=2000, default_user=user, default_change_reason=reason)
        for member in self.new_members:
            member.household_id = member.household.pk
        insert_with_history(Member, self.new_members, user=user, reason=reason, progress=self._writing("nhân khẩu"))
        if self.changed_members:
            bulk_update_with_history(self.changed_members, Member,
                                     ["full_name", "search_name", "gender", "birth_year", "ethnic_group_id",
                                      "relation_to_head", "national_id"],
                                     batch_size=2000, default_user=user, default_change_reason=reason)
        self._refresh_search_text()
        self._write_assessments()

    def _refresh_search_text(self):
        """Existing households whose names changed get their search key recomputed (new ones have it)."""
        new = {h.pk for h in self.new_households}
        touched = ({m.household_id for m in self.new_members} | {m.household_id for m in self.changed_members}
                   | {h.pk for h in self.changed_households}) - new
        if not touched:
            return
        names = defaultdict(list)
        for group in chunked(touched):
            for household_id, name in Member.objects.filter(household_id__in=group).values_list("household_id", "full_name"):
                names[household_id].append(name)
        households = []
        for group in chunked(touched):
            for household in Household.objects.filter(pk__in=group).only("id", "code", "head_name", "search_text"):
                household.search_text = search_key(" ".join([household.code, household.head_name, *names[household.pk]]))
                households.append(household)
        Household.objects.bulk_update(households, ["search_text"], batch_size=2000)

    def _write_assessments(self):
        if not (self.new_assessments or self.changed_assessments):
            return
        for assessment in self.new_assessments:
            assessment.household_id = assessment.household.pk
            key = (assessment.commune_id, assessment.year)
            if key not in self.rounds:
                self.rounds[key] = ReviewRound.objects.create(commune_id=assessment.commune_id, year=assessment.year)
            assessment.review_round = self.rounds[key]
        self.progress("Đang tính biến động so với năm trước", 0, 1)
        later_rows = self._plan_movements()
        insert_with_history(Assessment, self.new_assessments, user=self.user, reason=self.reason,
                            progress=self._writing("kết quả rà soát"))
        if self.changed_assessments:
            for assessment in self.changed_assessments:
                assessment.version += 1
            bulk_update_with_history(
                self.changed_assessments, Assessment,
                ["standard_id", "income_per_capita", "b1_score", "deprivations", "deprivation_count",
                 "no_labour_capacity", "has_meritorious_member", "is_ethnic_minority", "classification", "movement",
                 "version"],
                batch_size=2000, default_user=self.user, default_change_reason=self.reason)
        write_derived(later_rows, f"Tính lại biến động sau khi nhập tệp {self.filename}"[:100])

    def _plan_movements(self):
        """Movements of the imported years, computed before writing, from each household's own years (stored
        and imported), exactly as hand entry does. Returns the stored rows of other years whose movement
        follows from the imported ones and must change (written as derived data, even in locked rounds)."""
        imported = {(a.household_id, a.year): a for a in [*self.new_assessments, *self.changed_assessments]}
        new_households = {household.pk for household in self.new_households}  # nothing stored for them yet
        stored = {household_id for household_id, _ in imported} - new_households
        classes, others = defaultdict(dict), []
        for group in chunked(stored):
            for row in Assessment.objects.filter(household_id__in=group):
                if (row.household_id, row.year) not in imported:
                    classes[row.household_id][row.year] = row.classification
                    others.append(row)
        for (household_id, year), assessment in imported.items():
            classes[household_id][year] = assessment.classification
        movements = {household_id: movements_over_years(years) for household_id, years in classes.items()}
        for (household_id, year), assessment in imported.items():
            assessment.movement = movements[household_id][year]
        changed = []
        for row in others:
            new = movements[row.household_id][row.year]
            if new != row.movement:
                row.movement = new
                changed.append(row)
        return changed
