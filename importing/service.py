"""households_import: read every sheet, check every row, then write everything in one transaction or nothing.

Matching: households by Mã hộ, members by household + national ID or name + birth year, review results by
household + year. Lookups are bulk (a constant number of queries per 5,000 rows), writes are bulk with their
audit rows, the change reason naming the file. Classification and movements use the same rule as hand entry.

What the check accepts, the commit writes: every value is checked as the models take it (their fields'
lengths, the integer ranges of their column types, their validators and `clean()` rules, the one-head rule
over what is stored plus what the file adds), with its error at (sheet, row, column). The write then locks
the review rounds it writes into and checks again, under the lock, that none was approved meanwhile.
"""
import datetime
import logging
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from simple_history.utils import bulk_update_with_history

from accounts.models import can_edit
from areas.models import AdministrativeUnit
from areas.scoping import visible_area_codes
from core.bulk import insert_with_history
from core.formatting import vn_number
from core.text import clean_text, search_key
from households.models import (
    FARM_LIVELIHOODS,
    EthnicGroup,
    Household,
    Livelihood,
    Member,
    Relation,
    placement_errors,
)
from households.services import default_livelihood
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
from importing.rules import FieldRule, maximum
from review.classification import MissingInput, classify, movements_over_years
from review.labour import household_labour
from review.models import (
    Assessment,
    Indicator,
    PovertyStandard,
    ReviewRound,
    RoundLockedError,
    RoundStatus,
    deprivation_key,
)
from review.services import (
    LABOUR_FIELDS,
    MAX_B1_SCORE,
    MAX_INCOME_PER_CAPITA,
    all_lines,
    held_back_notice,
    household_facts_refresh,
    lock_open_rounds,
    round_closed_message,
    write_derived,
)

log = logging.getLogger(__name__)
CHUNK = 5000
KINDS = ("households", "members", "assessments")
RELATIONS = {search_key(label): value for value, label in Relation.choices}
RELATIONS.update({"chu ho": Relation.HEAD, "vo": Relation.SPOUSE, "chong": Relation.SPOUSE, "con": Relation.CHILD,
                  "bo": Relation.PARENT, "me": Relation.PARENT, "chau": Relation.GRANDCHILD})
# "Sinh kế chính": the labels of households.models.Livelihood, their codes, and the usual short forms.
LIVELIHOODS = {search_key(label): value for value, label in Livelihood.choices}
LIVELIHOODS.update({value: value for value in Livelihood.values})
LIVELIHOODS.update({"nong": Livelihood.AGRICULTURE, "trong trot, chan nuoi": Livelihood.AGRICULTURE,
                    "lam": Livelihood.FORESTRY, "ngu": Livelihood.FISHERY, "thuy san": Livelihood.FISHERY,
                    "diem": Livelihood.SALT, "lam muoi": Livelihood.SALT, "khac": Livelihood.OTHER,
                    "nganh khac": Livelihood.OTHER, "phi nong nghiep": Livelihood.OTHER})
LABOUR_REASON_MAX = Assessment._meta.get_field("labour_override_reason").max_length

# The limits of every value a row gives, from the models' own fields (importing/rules.py).
HOUSEHOLD_CODE = FieldRule(Household, "code")
HEAD_NAME = FieldRule(Household, "head_name")
ADDRESS = FieldRule(Household, "address")
FULL_NAME = FieldRule(Member, "full_name")
BIRTH_YEAR = FieldRule(Member, "birth_year")
NATIONAL_ID = FieldRule(Member, "national_id")
DEPRIVATIONS = FieldRule(Assessment, "deprivations")
YEAR_MAX = min(maximum(Assessment, "year"), maximum(ReviewRound, "year"))
INCOME_MAX = maximum(Assessment, "income_per_capita", MAX_INCOME_PER_CAPITA)
INCOME_TOO_BIG = (f"Thu nhập bình quân không quá {vn_number(INCOME_MAX)} đồng/người/tháng: hãy kiểm tra lại "
                  "số (thừa chữ số 0, hay là thu nhập cả năm, của cả hộ?).")
B1_MAX = maximum(Assessment, "b1_score", MAX_B1_SCORE)
B1_TOO_BIG = f"Điểm B1 từ 0 đến {vn_number(B1_MAX)} điểm: hãy kiểm tra lại (nhập nhầm thu nhập vào cột điểm B1?)."
# Model fields -> the column that holds them, for errors raised by the models' own rules.
HOUSEHOLD_COLUMNS = {"code": "Mã hộ", "head_name": "Họ tên chủ hộ", "address": "Địa chỉ", "commune": "Mã xã",
                     "village": "Thôn"}
MEMBER_COLUMNS = {"full_name": "Họ tên", "gender": "Giới tính", "birth_year": "Năm sinh", "birth_date": "Năm sinh",
                  "relation_to_head": "Quan hệ với chủ hộ", "national_id": "Số CCCD"}


def _livelihood(raw):
    """“Sinh kế chính”: a Livelihood label (Nông nghiệp … Ngành nghề khác), its code or a short form; blank: None."""
    value = cells.text(raw)
    if not value:
        return None
    found = LIVELIHOODS.get(search_key(value))
    if found is None:
        raise cells.CellError(f"“{value}”: ghi Nông nghiệp, Lâm nghiệp, Ngư nghiệp, Diêm nghiệp hoặc Ngành nghề khác.")
    return found


def checked(parse, rule):
    """A cell parser that also refuses what the model field cannot hold."""
    return lambda value: rule.check(parse(value))


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
        try:
            with transaction.atomic():
                job.households(sheets[HOUSEHOLDS])
                job.members(sheets[MEMBERS])
                job.reviews(sheets[REVIEWS])
                if job.labour_notice():
                    result.notices.append(job.labour_notice())
                if result.errors:
                    raise _Abort
                if dry_run:
                    raise _Abort
                job.write()
            result.committed = True
            if job.held_back:
                result.notices.append(held_back_notice(job.held_back))
        except RoundLockedError as error:  # approved between the check and the write: nothing was written
            job.locked(error.rounds)
        except IntegrityError:
            # The check holds every rule of the models; what is left is someone else's write in between
            # (the same new code or ID number stored meanwhile). Nothing was written.
            log.exception("import of %s refused at commit", filename)
            result.errors.append(Issue("", None, None, "Sổ vừa được người khác sửa trong lúc ghi (cùng mã hộ hoặc "
                                                       "số CCCD?): không ghi gì. Hãy kiểm tra lại tệp rồi nhập lại."))
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
        self.filename = filename = cells.CONTROL.sub("", clean_text(filename))  # it goes into the audit trail
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
        self.refused_codes = set()  # codes of household rows with an error: their other rows say nothing more
        self.unchanged_codes = set()  # households the household sheet leaves as they are
        self.first_years = {}  # code -> the first year the file reviews the household in
        self.round_rows = defaultdict(list)  # (commune, year) of a round the write goes into -> review rows
        self.held_back = []  # approved rounds whose derived movements were left as they are
        # Members by stored household id, as they will be after the file (for the labour rule), and the ids
        # whose members were read; household codes whose livelihood the file changes; households whose
        # labour capacity was counted as missing only for want of birth years or sexes.
        self.stored_members, self.members_read = defaultdict(list), set()
        self.livelihood_changed = set()
        self.labour_uncertain = []

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
        refused = self.refused_codes
        for number, values in self._rows(sheet):
            try:
                row = {name: self._cell(sheet, number, values, name, parser) for name, parser in (
                    ("code", checked(cells.text, HOUSEHOLD_CODE)), ("head_name", checked(cells.text, HEAD_NAME)),
                    ("commune", cells.code), ("village", cells.text), ("ethnic_group", self._ethnic),
                    ("address", checked(cells.text, ADDRESS)), ("livelihood", _livelihood))}
            except cells.CellError:
                refused.add(self._raw_code(sheet, values))
                continue
            missing = [SHEETS[HOUSEHOLDS][name][0] for name in ("code", "head_name", "commune", "ethnic_group")
                       if not row.get(name)]
            for label in missing:
                self.error(HOUSEHOLDS, number, label, "Ô bắt buộc đang trống.")
            if missing:
                refused.add(row["code"])
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
                refused.add(row["code"])
                continue
            if not self._in_scope(commune.code):
                self.error(HOUSEHOLDS, number, "Mã xã", f"Xã {commune.code} không thuộc địa bàn của bạn.")
                refused.add(row["code"])
                continue
            village = None
            if row["village"]:
                village = villages[commune.code].get(row["village"]) or villages[commune.code].get(search_key(row["village"]))
                if village is None:
                    self.error(HOUSEHOLDS, number, "Thôn", f"Không có thôn “{row['village']}” trong xã {commune.code}.")
                    refused.add(row["code"])
                    continue
            household = existing.get(row["code"])
            if household is not None and not self._in_scope(household.commune_id):
                # the code is taken outside the officer's area: say only that it cannot be used here
                self.error(HOUSEHOLDS, number, "Mã hộ", f"Không dùng được mã hộ {row['code']} trong địa bàn của bạn: "
                                                        "hãy dùng mã khác.")
                refused.add(row["code"])
                continue
            closed = placement_errors(commune, village, (household.commune_id, household.village_id)
                                      if household is not None else (None, None))
            if closed:
                for field_name, message in closed.items():
                    self.error(HOUSEHOLDS, number, HOUSEHOLD_COLUMNS[field_name], message)
                refused.add(row["code"])
                continue
            values = {"commune_id": commune.code, "village_id": village.code if village else None,
                      "head_name": clean_text(row["head_name"]), "ethnic_group_id": row["ethnic_group"].code,
                      "address": row["address"] or ""}
            # "Sinh kế chính": blank keeps a stored household's; a new one gets its commune's default
            if row["livelihood"] or household is None:
                values["livelihood"] = row["livelihood"] or default_livelihood(commune)
            if household is None:
                # registered today, or on 1 January of its first reviewed year (see _registered_by_reviews)
                household = Household(code=row["code"], registered_on=datetime.date.today(), **values)
                try:
                    # the model's field rules (each value was checked as it was read; this keeps any rule
                    # added to the model later); duplicates and places were checked above, in bulk
                    household.clean_fields(exclude=["version", "commune", "village", "ethnic_group", "search_text"])
                except ValidationError as error:
                    for field_name, messages in error.message_dict.items():
                        self.error(HOUSEHOLDS, number, HOUSEHOLD_COLUMNS.get(field_name, field_name),
                                   "; ".join(messages))
                    refused.add(row["code"])
                    continue
                household._row = number
                self.new_households.append(household)
                self.result.created["households"] += 1
            elif any(getattr(household, key) != value for key, value in values.items()):
                if values.get("livelihood", household.livelihood) != household.livelihood:
                    self.livelihood_changed.add(household.code)
                for key, value in values.items():
                    setattr(household, key, value)
                self.changed_households.append(household)
                self.result.updated["households"] += 1
            else:
                self.result.unchanged["households"] += 1
                self.unchanged_codes.add(row["code"])
            self.households_by_code[row["code"]] = household

    @staticmethod
    def _raw_code(sheet, values):
        """The household code of a row whose cells could not all be read ("" when the code cannot be)."""
        index = sheet.columns.get("code")
        try:
            return cells.text(values[index]) if index is not None and index < len(values) else ""
        except cells.CellError:
            return ""

    def _in_scope(self, commune_code):
        """The rule of hand entry: a household is the officer's when its commune is in the officer's area."""
        return self.scope is None or commune_code in self.scope

    def _household(self, sheet_name, number, code):
        """The household a row of the members or review sheet names: one of the file's or a stored one, in
        the officer's area. Any other code, stored elsewhere or nowhere, gets the same answer."""
        self._preload([code])
        household = self.households_by_code.get(code)
        if household is None and code not in self.refused_codes:
            # (a household whose own row has an error already has its one error there)
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
                        ("household", cells.text), ("full_name", checked(cells.text, FULL_NAME)),
                        ("gender", cells.gender), ("birth_year", lambda v: cells.integer(v, minimum=1900)),
                        ("ethnic_group", self._ethnic), ("relation", cells.text), ("national_id", cells.text))}
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
        existing = self.stored_members  # the same objects the file's changes are applied to
        known_ids = {}
        ids = [h.pk for h in self.households_by_code.values() if h.pk]
        self.members_read.update(ids)
        for group in chunked(ids):
            for member in Member.objects.filter(household_id__in=group):
                member._stored = (member.relation_to_head, member.national_id)  # as stored, before the file
                existing[member.household_id].append(member)
        for group in chunked([row["national_id"] for _, row in rows if row["national_id"]]):
            for national_id, code, commune in Member.objects.filter(national_id__in=group).values_list(
                    "national_id", "household__code", "household__commune_id"):
                known_ids[national_id] = (code, self._in_scope(commune))
        heads = defaultdict(list)
        seen_ids = {}
        matched = {}  # stored member id -> the row that names them
        for number, row in rows:
            household = self._household(MEMBERS, number, row["household"])
            if household is None:
                continue
            national_id = row["national_id"] or None
            if national_id:
                try:
                    NATIONAL_ID.check(national_id)
                except cells.CellError as error:
                    self.error(MEMBERS, number, "Số CCCD", str(error))
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
            ethnic = row["ethnic_group"] or (self.ethnic.get(household.ethnic_group_id) if household.ethnic_group_id else None)
            values = {"full_name": row["full_name"], "gender": row["gender"], "birth_year": row["birth_year"],
                      "ethnic_group_id": ethnic.code if ethnic else "01", "relation_to_head": row["relation"],
                      "national_id": national_id}
            member = Member(household=household, search_name=search_key(values["full_name"]), **values)
            if not self._member_rules(number, member):
                continue
            match = self._match_member(existing.get(household.pk, []) if household.pk else [], values)
            if match is not None and match.pk in matched:
                self.error(MEMBERS, number, "Họ tên", f"Dòng này và dòng {matched[match.pk]} cùng là {match.full_name} "
                                                      f"của hộ {row['household']} trong sổ: mỗi người chỉ một dòng.")
                continue
            if row["relation"] == Relation.HEAD:
                heads[row["household"]].append(number)
            if match is None:
                self.new_members.append(member)
                self.result.created["members"] += 1
                continue
            matched[match.pk] = number
            if any(getattr(match, key) != value for key, value in values.items()):
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
                continue
            household = self.households_by_code[code]
            # the one-head rule over what is stored plus what the file adds: a stored head the file does not
            # name stays head, so the file's head would be a second one
            stored = [m for m in existing.get(household.pk, []) if household.pk
                      if m.pk not in matched and m.relation_to_head == Relation.HEAD]
            if stored:
                name = stored[0].full_name
                self.error(MEMBERS, numbers[0], "Quan hệ với chủ hộ",
                           f"Hộ {code} đã có chủ hộ {name} trong sổ: mỗi hộ chỉ có một chủ hộ. Muốn đổi chủ hộ, "
                           f"ghi cả {name} vào tệp với quan hệ mới (ví dụ Vợ/chồng).")
        self.heads_in_file = set(heads)
        self._heads_from_household_sheet(existing)

    def _member_rules(self, number, member):
        """The model's own rules of the row's member (Member.clean: the birth year not in the future nor more
        than 120 years back), then what the columns hold. False, with the errors said, when a rule fails."""
        try:
            member.clean()
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                self.error(MEMBERS, number, MEMBER_COLUMNS.get(field_name, field_name), " ".join(messages))
            return False
        try:
            BIRTH_YEAR.check(member.birth_year)
        except cells.CellError as error:
            self.error(MEMBERS, number, "Năm sinh", str(error))
            return False
        return True

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
                    ("household", cells.text), ("year", lambda v: cells.integer(v, minimum=2000, maximum=YEAR_MAX)),
                    ("income", lambda v: cells.integer(v, minimum=0, maximum=INCOME_MAX, too_big=INCOME_TOO_BIG)),
                    ("b1", lambda v: cells.integer(v, minimum=0, maximum=B1_MAX, too_big=B1_TOO_BIG)),
                    ("no_labour", cells.flag_or_blank), ("meritorious", cells.flag),
                    ("labour_reason", cells.text))}
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
            deprived, headers, bad = [], [], False
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
                    headers.append(header)
            if bad:
                continue
            try:
                DEPRIVATIONS.check(deprivation_key(deprived))
            except cells.CellError as error:
                self.error(REVIEWS, number, headers[-1], str(error))
                continue
            rows.append((number, row, standard, deprived))
        self._preload({row["household"] for _, row, _, _ in rows})
        self._plan_assessments(rows)

    def _plan_assessments(self, rows):
        lines = all_lines()
        ids = [h.pk for h in self.households_by_code.values() if h.pk]
        existing = {}
        for group in chunked(ids):
            for assessment in Assessment.objects.filter(household_id__in=group).select_related("review_round"):
                existing[(assessment.household_id, assessment.year)] = assessment
        pairs = {(h.commune_id, row["year"]) for _, row, _, _ in rows
                 for h in [self.households_by_code.get(row["household"])] if h}
        rounds = {}
        if pairs:
            condition = Q()
            for commune, year in pairs:
                condition |= Q(commune_id=commune, year=year)
            rounds = {(r.commune_id, r.year): r for r in ReviewRound.objects.filter(condition)}
        communes = AdministrativeUnit.objects.in_bulk({c for c, _ in pairs})
        members_of = self._members_after_file()
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
                review_round = current.review_round
            commune = communes.get(household.commune_id)
            is_urban = current.is_urban if current else bool(commune and commune.is_urban)
            line = lines.get((standard.id, is_urban))
            if line is None:
                self.error(REVIEWS, number, "Năm", f"Chuẩn {standard.code} chưa có chuẩn cho khu vực "
                                                   f"{'thành thị' if is_urban else 'nông thôn'}.")
                continue
            if row["income"] is None and line.b1_line is None:
                self.error(REVIEWS, number, "Thu nhập bình quân",
                           f"Năm {row['year']} chuẩn nghèo không dùng điểm B1: hãy nhập thu nhập bình quân "
                           f"(chuẩn {standard.code} không có ngưỡng điểm B1).")
                continue
            values = {"standard_id": standard.id, "income_per_capita": row["income"], "b1_score": row["b1"],
                      "deprivations": deprivation_key(deprived), "deprivation_count": len(set(deprived)),
                      "has_meritorious_member": bool(row["meritorious"]),
                      "is_ethnic_minority": self.ethnic[household.ethnic_group_id].is_minority,
                      "livelihood": household.livelihood}
            labour = self._labour(number, row, current, members_of(household))
            if labour is None:
                continue
            values.update(labour)
            try:
                values["classification"] = classify(line, deprivations=values["deprivation_count"],
                                                    income=row["income"], b1_score=row["b1"],
                                                    farm_livelihood=household.livelihood in FARM_LIVELIHOODS)
            except MissingInput as error:  # refused above; a last guard, as in hand entry
                self.error(REVIEWS, number, "Thu nhập bình quân", str(error))
                continue
            first = self.first_years.get(row["household"])
            self.first_years[row["household"]] = row["year"] if first is None else min(first, row["year"])
            if current is not None and all(getattr(current, k) == v for k, v in values.items()):
                self.result.unchanged["assessments"] += 1
                continue
            if review_round is not None and review_round.status == RoundStatus.APPROVED:
                self.error(REVIEWS, number, "Năm", self._locked_message(review_round.commune_id, review_round.year))
                continue
            closed = round_closed_message(commune, row["year"]) if commune and not current and not review_round else ""
            if closed:
                self.error(REVIEWS, number, "Năm", closed)
                continue
            if current is None:
                assessment = Assessment(household=household, year=row["year"], commune_id=household.commune_id,
                                        village_id=household.village_id, is_urban=is_urban, **values)
                self.new_assessments.append(assessment)
                self.result.created["assessments"] += 1
                self.round_rows[(household.commune_id, row["year"])].append(number)
            else:
                for key, value in values.items():
                    setattr(current, key, value)
                self.changed_assessments.append(current)
                self.result.updated["assessments"] += 1
                self.round_rows[(current.review_round.commune_id, current.review_round.year)].append(number)
        self._registered_by_reviews()

    def _members_after_file(self):
        """household -> its members as they will be once the file is written (stored ones with the file's
        changes, and the file's new ones): what the labour rule reads. Reads the members of households the
        members sheet did not load (in bulk)."""
        missing = [h.pk for h in self.households_by_code.values() if h.pk and h.pk not in self.members_read]
        self.members_read.update(missing)
        for group in chunked(missing):
            for member in Member.objects.filter(household_id__in=group).only("household_id", *LABOUR_FIELDS):
                self.stored_members[member.household_id].append(member)
        new = defaultdict(list)
        for member in self.new_members:
            new[member.household.code].append(member)
        return lambda household: [*(self.stored_members.get(household.pk, ()) if household.pk else ()),
                                  *new[household.code]]

    def _labour(self, number, row, current, members):
        """{"no_labour_capacity", "labour_override_reason"} of a review row, or None after an error.

        The value derived from the members (review.labour) unless the row's "Không có khả năng lao động" says
        otherwise: a stated value that differs from the derived one is an override, kept with the row's
        "Lý do khả năng lao động", else with the reason "Theo danh sách nhập (tệp …, dòng N)" (a stored
        override of the same value keeps its reason, so a second import of the file changes nothing). A blank
        cell states nothing: the stored override stays, otherwise the derived value."""
        result = household_labour(members, row["year"])
        derived, wanted = result.no_labour_capacity, row["no_labour"]
        overridden = current is not None and bool(current.labour_override_reason)
        if wanted is None and overridden:
            return {"no_labour_capacity": current.no_labour_capacity,
                    "labour_override_reason": current.labour_override_reason}
        if wanted is None or wanted == derived:
            if result.uncertain:
                self.labour_uncertain.append(row["household"])
            return {"no_labour_capacity": derived, "labour_override_reason": ""}
        reason = row["labour_reason"] or ""
        if not reason and overridden and current.no_labour_capacity == wanted:
            reason = current.labour_override_reason
        if not reason:
            reason = f"Theo danh sách nhập (tệp {self.filename[:200]}, dòng {number})"
        if len(reason) > LABOUR_REASON_MAX:
            self.error(REVIEWS, number, "Lý do khả năng lao động", f"Không quá {LABOUR_REASON_MAX} ký tự.")
            return None
        return {"no_labour_capacity": wanted, "labour_override_reason": reason}

    def labour_notice(self):
        """What the result says of households counted without labour capacity for want of member data."""
        codes = sorted(set(self.labour_uncertain))
        if not codes:
            return ""
        shown = ", ".join(codes[:20]) + ("…" if len(codes) > 20 else "")
        return (f"{vn_number(len(codes))} hộ được tính là không có khả năng lao động vì thiếu năm sinh hoặc giới tính "
                f"của nhân khẩu (người thiếu chưa được tính là lao động): {shown}. Hãy bổ sung ở trang “Nhân khẩu”.")

    @staticmethod
    def _locked_message(commune_id, year):
        return f"Đợt rà soát năm {year} của xã {commune_id} đã phê duyệt và đang khoá."

    def locked(self, rounds):
        """The rounds the write found approved under its lock: an error on each row that writes into them."""
        keys = {(review_round.commune_id, review_round.year) for review_round in rounds}
        errors = [(number, key) for key in keys for number in self.round_rows.get(key, [])]
        for number, (commune_id, year) in sorted(errors):
            self.error(REVIEWS, number, "Năm", self._locked_message(commune_id, year))
        if not errors:  # (a round the file does not write into cannot be refused; said in case)
            self.error("", None, None, str(RoundLockedError(rounds=rounds)))

    def _registered_by_reviews(self):
        """A household reviewed in a year existed in that year: a registration date later than 1 January of
        its first reviewed year moves back to it (new households: instead of today), with the audit trail of
        the import naming the officer."""
        changed = {household.code for household in self.changed_households}
        for code, year in self.first_years.items():
            household = self.households_by_code[code]
            first_day = datetime.date(year, 1, 1)
            if household.registered_on is None or household.registered_on <= first_day:
                continue
            household.registered_on = first_day
            if household.pk is None:
                continue
            household._change_reason = (f"Có kết quả rà soát năm {year}: ngày đăng ký lùi về {first_day:%d/%m/%Y}; "
                                        f"nhập từ tệp {self.filename}")[:100]
            if code not in changed:
                self.changed_households.append(household)
                self.result.updated["households"] += 1
                if code in self.unchanged_codes:
                    self.result.unchanged["households"] -= 1

    # -- writing ---------------------------------------------------------------------------------------
    def write(self):
        user, reason = self.user, self.reason
        # First of all, the review rounds the file writes into: locked until the transaction ends (an
        # approval in flight is waited for), their status read again under the lock. One approved since the
        # check refuses the whole file (RoundLockedError, turned into errors by households_import).
        self.rounds = lock_open_rounds(self.round_rows)
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
                                     ["commune_id", "village_id", "head_name", "ethnic_group_id", "address",
                                      "registered_on", "livelihood", "version"],
                                     batch_size=2000, default_user=user, default_change_reason=reason)
        self._write_members()
        self._refresh_search_text()
        self._write_assessments()
        self._refresh_household_facts()

    def _refresh_household_facts(self):
        """Stored households whose members or livelihood the file changed: their other assessments in open
        rounds follow (review.services.household_facts_refresh; recognised rounds stay as they are)."""
        new = {household.pk for household in self.new_households}
        touched = ({m.household_id for m in self.new_members} | {m.household_id for m in self.changed_members}
                   | {self.households_by_code[code].pk for code in self.livelihood_changed}) - new
        for group in chunked(sorted(touched)):
            household_facts_refresh(household_ids=group, acting_user=self.user)

    def _write_members(self):
        """Stored members first, new ones after, in an order the unique rules accept at every statement
        (PostgreSQL and SQLite check them row by row): the file may hand an ID number from one member to
        another, or make another member head. ID numbers that move are cleared first; members who are not
        head (any more) are written before those who are (or become) head; new members come last."""
        user, reason = self.user, self.reason
        changed = self.changed_members
        plain = models.QuerySet(model=Member)
        moving = [m.pk for m in changed if m._stored[1] and m.national_id != m._stored[1]]
        for group in chunked(moving):
            plain.filter(pk__in=group).update(national_id=None)  # in between only: the next update sets them
        for group in ([m for m in changed if m.relation_to_head != Relation.HEAD],
                      [m for m in changed if m.relation_to_head == Relation.HEAD]):
            if group:
                for member in group:
                    member.version += 1
                bulk_update_with_history(group, Member,
                                         ["full_name", "search_name", "gender", "birth_year", "ethnic_group_id",
                                          "relation_to_head", "national_id", "version"],
                                         batch_size=2000, default_user=user, default_change_reason=reason)
        for member in self.new_members:
            member.household_id = member.household.pk
        insert_with_history(Member, self.new_members, user=user, reason=reason, progress=self._writing("nhân khẩu"))

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
            assessment.review_round = self.rounds[(assessment.commune_id, assessment.year)]  # locked, open
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
                 "no_labour_capacity", "labour_override_reason", "livelihood", "has_meritorious_member",
                 "is_ethnic_minority", "classification", "movement",
                 "version"],
                batch_size=2000, default_user=self.user, default_change_reason=self.reason)
        self.held_back = write_derived(later_rows, f"Tính lại biến động sau khi nhập tệp {self.filename}"[:100],
                                       acting_user=self.user)

    def _plan_movements(self):
        """Movements of the imported years, computed before writing, from each household's own years (stored
        and imported), exactly as hand entry does. Returns the stored rows of other years whose movement
        follows from the imported ones and must change (derived data: write_derived leaves those of approved
        rounds as they are and names their rounds)."""
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
