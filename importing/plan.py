"""The import plan: what the check of a workbook decided to write, and the lookups its sheets share.

Each sheet's module (sheet_households, sheet_members, sheet_reviews) reads its rows into the plan; the writer
(importing/writer.py) writes the plan through the domain's bulk write paths. The plan keeps the stored rows it
read as they were read (their `version`), so the write can refuse a row someone changed meanwhile.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from areas.scoping import visible_area_codes
from core.text import clean_text, compact_key
from households.models import EthnicGroup, Household
from importing import cells
from importing.columns import COLUMNS
from importing.reading import Issue

CHUNK = 5000
KINDS = ("households", "members", "assessments")


def chunked(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class ImportResult:
    """What the check found (`would_create`, `would_update`, `unchanged`, every error) and, once the commit
    wrote it, what was written (`created`, `updated`): a refused or checked-only file created nothing."""

    would_create: Counter = field(default_factory=Counter)
    would_update: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    committed: bool = False
    moved_to_successor: int = 0  # households the file names in former units, placed in today's (historical.py)

    def written(self):
        """The commit wrote what the check planned: the counts move from "would" to "did"."""
        self.created, self.would_create = self.would_create, Counter()
        self.updated, self.would_update = self.would_update, Counter()
        self.committed = True

    def as_dict(self):
        counts = ("created", "updated", "would_create", "would_update", "unchanged")
        return {
            **{name: {k: getattr(self, name)[k] for k in KINDS} for name in counts},
            "errors": [issue.as_dict() for issue in self.errors], "notices": self.notices,
            "committed": self.committed, "moved_to_successor": self.moved_to_successor,
        }


@dataclass(eq=False)
class ImportPlan:
    """The rows to insert and update, where each came from (sheet and row), and the shared lookups.

    Stored rows are kept as the check read them: the writer compares their `version` under its locks."""

    user: object
    filename: str
    result: ImportResult
    progress: object = None  # progress(phase, done, total)
    households_by_code: dict = field(default_factory=dict)  # code -> Household (file's or stored), the officer's
    looked_up: set = field(default_factory=set)  # codes already looked up in the database
    new_households: list = field(default_factory=list)
    changed_households: list = field(default_factory=list)
    new_members: list = field(default_factory=list)
    changed_members: list = field(default_factory=list)
    new_assessments: list = field(default_factory=list)
    changed_assessments: list = field(default_factory=list)
    heads_in_file: set = field(default_factory=set)
    refused_codes: set = field(default_factory=set)  # household rows with an error: their other rows say no more
    unchanged_codes: set = field(default_factory=set)  # households the household sheet leaves as they are
    first_years: dict = field(default_factory=dict)  # code -> the first year the file reviews the household in
    round_rows: dict = field(default_factory=lambda: defaultdict(list))  # (commune, year) -> review rows
    held_back: list = field(default_factory=list)  # recognised rounds whose movements were left as they are
    # Members by stored household id as they will be after the file (for the labour rule), and the ids whose
    # members were read; household codes whose livelihood the file changes; households whose labour capacity
    # was counted as missing only for want of birth years or sexes.
    stored_members: dict = field(default_factory=lambda: defaultdict(list))
    members_read: set = field(default_factory=set)
    livelihood_changed: set = field(default_factory=set)
    # Splits and joins of the file (importing/sheet_moves.py): (from code, to code) -> the move's rows, members,
    # relations and values; and household code -> the stored members moving into it.
    moves: dict = field(default_factory=dict)
    moved_in: dict = field(default_factory=lambda: defaultdict(list))
    labour_uncertain: list = field(default_factory=list)
    # Rows naming units closed since (importing/historical.py): household code -> FormerPlace; today's map and units.
    former_places: dict = field(default_factory=dict)
    today_map: object = None
    today_units: dict = field(default_factory=dict)

    def __post_init__(self):
        self.progress = self.progress or (lambda phase, done, total: None)
        self.filename = cells.CONTROL.sub("", clean_text(self.filename))  # it goes into the audit trail
        self.reason = f"Nhập từ tệp {self.filename}"[:100]
        self.scope = visible_area_codes(self.user)
        self.ethnic = EthnicGroup.objects.in_bulk()
        # "Xơ Đăng", "xo dang" and "Xơ-đăng" are one group (core.text.compact_key, as the admin and API find it)
        self.ethnic_by_name = {compact_key(group.name): group for group in self.ethnic.values()}

    # -- errors and cells ----------------------------------------------------------------------------
    def error(self, sheet, row, column, message):
        self.result.errors.append(Issue(sheet, row, column, message))

    def cell(self, sheet, number, values, column, parse=None):
        """The value of `column` (a Column of the sheet) on the row, read by `parse` or the column's own
        parser; a cell that cannot be read is an error at (sheet, row, column) and raises CellError."""
        index = sheet.columns.get(column.key)
        if index is None:
            return None
        raw = values[index] if index < len(values) else None
        try:
            return (parse or column.parse)(raw)
        except cells.CellError as error:
            self.error(sheet.name, number, column.label, str(error))
            raise

    def read_row(self, sheet, number, values, parsers=None):
        """{key: value} of every column of the sheet's specification (`parsers`: the lookups of the check for
        the columns whose parse is None). CellError after the first unreadable cell (already said)."""
        parsers = parsers or {}
        return {column.key: self.cell(sheet, number, values, column, parsers.get(column.key))
                for column in COLUMNS[sheet.name]}

    def missing(self, sheet_name, number, row):
        """Say every required cell left blank on the row; True when there was one."""
        blank = [column.label for column in COLUMNS[sheet_name] if column.required and not row.get(column.key)]
        for label in blank:
            self.error(sheet_name, number, label, "Ô bắt buộc đang trống.")
        return bool(blank)

    def ethnic_group(self, raw):
        value = cells.text(raw)
        if not value:
            return None
        group = (self.ethnic.get(value.zfill(2) if value.isdigit() else value)
                 or self.ethnic_by_name.get(compact_key(value)))
        if group is None:
            raise cells.CellError(f"Không có dân tộc “{value}” (ghi tên hoặc mã 121-TCTK, ví dụ 14 hoặc Xơ Đăng).")
        return group

    def rows(self, sheet):
        """The sheet's rows, telling `progress` every 1,000 rows."""
        phase = f"Đang kiểm tra trang “{sheet.name}”"
        count = 0
        for count, row in enumerate(sheet.rows, start=1):
            if count % 1000 == 0:
                self.progress(phase, count, max(count, sheet.total))
            yield row
        self.progress(phase, count, count)

    def writing(self, label):
        return lambda done, total: self.progress(f"Đang ghi vào sổ: {label}", done, total)

    # -- households of the officer -------------------------------------------------------------------
    def in_scope(self, commune_code):
        """The rule of hand entry: a household is the officer's when its commune is in the officer's area."""
        return self.scope is None or commune_code in self.scope

    def household(self, sheet_name, number, code):
        """The household a row of the members or review sheet names: one of the file's or a stored one, in
        the officer's area. Any other code, stored elsewhere or nowhere, gets the same answer."""
        self.preload([code])
        household = self.households_by_code.get(code)
        if household is None and code not in self.refused_codes:
            # (a household whose own row has an error already has its one error there)
            self.error(sheet_name, number, "Mã hộ",
                       f"Không có hộ mã {code} trong địa bàn của bạn (trong tệp hoặc trong sổ).")
        return household

    def preload(self, codes):
        """Look up the stored households of `codes` (once each); only those in the officer's area are kept."""
        missing = [code for code in codes if code not in self.households_by_code and code not in self.looked_up]
        self.looked_up.update(missing)
        for group in chunked(missing):
            for household in Household.objects.filter(code__in=group):
                if self.in_scope(household.commune_id):
                    self.households_by_code[household.code] = household

    def stored_ids(self):
        return [household.pk for household in self.households_by_code.values() if household.pk]
