"""Load administrative units from the official-style CSV/XLSX list (all rows or none).

Columns: code,name,level,kind,parent_code,valid_from,valid_to,successor_code,note. A code that appears
on several rows is one unit whose name, kind or parent changed: the latest row is its current state,
every row becomes a dated version. A successor equal to the unit's own code means "kept its code".
"""
import csv
import datetime
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from openpyxl import load_workbook

from areas.models import KINDS, AdministrativeUnit, AdministrativeUnitVersion, Level, overlapping_period
from core.text import clean_text

COLUMNS = ["code", "name", "level", "kind", "parent_code", "valid_from", "valid_to", "successor_code", "note"]
REQUIRED = ["code", "name", "level", "kind"]


class AreaImportError(Exception):
    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class AreaRow:
    line: int
    code: str
    name: str
    level: str
    kind: str
    parent_code: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    successor_code: str
    note: str


@dataclass
class AreaImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list = field(default_factory=list)


def read_rows(path):
    """Yield (line number, {column: text}) from a CSV (UTF-8, with or without BOM) or XLSX file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [clean_text(h).lower() for h in next(reader, [])]
            yield 1, header
            for number, values in enumerate(reader, start=2):
                yield number, values
    elif suffix == ".xlsx":
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            rows = workbook.worksheets[0].iter_rows(values_only=True)
            header = [clean_text(h).lower() for h in next(rows, ())]
            yield 1, header
            for number, values in enumerate(rows, start=2):
                yield number, ["" if v is None else (v.isoformat()[:10] if hasattr(v, "isoformat") else str(v)) for v in values]
        finally:
            workbook.close()
    else:
        raise AreaImportError([f"Tệp {path.name}: chỉ nhận .csv hoặc .xlsx."])


def _date(text, line, column, errors):
    text = clean_text(text)
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        errors.append(f"Dòng {line}, cột {column}: “{text}” không phải ngày dạng YYYY-MM-DD.")
        return None


def parse(path):
    """Read and check every row; raise AreaImportError listing all bad rows."""
    iterator, header = _open(path)
    index = {name: header.index(name) for name in COLUMNS if name in header}
    errors = []
    rows = [row for line, values in iterator if (row := _parse_row(line, values, index, errors))]
    if not rows and not errors:
        errors.append("Tệp không có dòng dữ liệu nào.")
    by_code = _check_links(rows, errors)
    _check_versions(by_code, errors)
    if errors:
        raise AreaImportError(errors)
    return by_code


def _open(path):
    """The rows of the file after its header, and the header; AreaImportError when unreadable or incomplete."""
    if not Path(path).is_file():
        raise AreaImportError([f"Không tìm thấy tệp: {path}"])
    try:
        iterator = read_rows(path)
        _, header = next(iterator, (1, []))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise AreaImportError([f"Không đọc được tệp: {error}"]) from error
    except Exception as error:  # openpyxl raises several kinds for a corrupt workbook
        if isinstance(error, AreaImportError):
            raise
        raise AreaImportError([f"Không đọc được tệp: {error}"]) from error
    missing = [column for column in COLUMNS[:5] if column not in header]
    if missing:
        raise AreaImportError([f"Dòng 1: thiếu cột {', '.join(missing)} (cần {','.join(COLUMNS)})."])
    return iterator, header


def _parse_row(line, values, index, errors):
    """One line as an AreaRow (None for a blank line); its problems are appended to `errors`."""
    if not any(clean_text(v) for v in values):
        return None
    cell = {name: clean_text(values[i]) if i < len(values) else "" for name, i in index.items()}
    for name in COLUMNS:
        cell.setdefault(name, "")
    kind = cell["kind"].lower()
    errors.extend(_cell_errors(line, cell, kind))
    valid_from = _date(cell["valid_from"], line, "valid_from", errors)
    valid_to = _date(cell["valid_to"], line, "valid_to", errors)
    if valid_from and valid_to and valid_to < valid_from:
        errors.append(f"Dòng {line}, cột valid_to: ngày hết hiệu lực trước ngày bắt đầu.")
    return AreaRow(
        line=line, code=cell["code"], name=cell["name"], level=cell["level"], kind=kind,
        parent_code=cell["parent_code"], valid_from=valid_from, valid_to=valid_to,
        successor_code=cell["successor_code"], note=cell["note"],
    )


def _cell_errors(line, cell, kind):
    """The problems of one line's cells taken alone: required, level, kind and its level, a parent."""
    errors = [f"Dòng {line}, cột {name}: bắt buộc, đang trống." for name in REQUIRED if not cell[name]]
    if cell["level"] and cell["level"] not in Level.values:
        errors.append(f"Dòng {line}, cột level: “{cell['level']}” không hợp lệ ({', '.join(Level.values)}).")
    if kind and kind not in KINDS:
        errors.append(f"Dòng {line}, cột kind: “{cell['kind']}” không phải loại đơn vị đã biết.")
    elif kind and cell["level"] in Level.values and KINDS[kind][0] != cell["level"]:
        errors.append(f"Dòng {line}, cột kind: “{cell['kind']}” không thuộc cấp {cell['level']}.")
    if cell["level"] and cell["level"] != Level.PROVINCE and not cell["parent_code"]:
        errors.append(f"Dòng {line}, cột parent_code: đơn vị cấp {cell['level']} phải có cấp trên.")
    return errors


def _check_links(rows, errors):
    """The rows by code; a parent or successor that is neither in the file nor stored is an error."""
    known = {row.code for row in rows} | set(
        AdministrativeUnit.objects.filter(
            code__in={r.parent_code for r in rows} | {r.successor_code for r in rows}
        ).values_list("code", flat=True)
    )
    by_code = {}
    for row in rows:
        by_code.setdefault(row.code, []).append(row)
        if row.parent_code and row.parent_code not in known:
            errors.append(f"Dòng {row.line}, cột parent_code: không có đơn vị mã {row.parent_code}.")
        if row.successor_code and row.successor_code not in known:
            errors.append(f"Dòng {row.line}, cột successor_code: không có đơn vị mã {row.successor_code}.")
        if row.parent_code == row.code:
            errors.append(f"Dòng {row.line}, cột parent_code: đơn vị không thể là cấp trên của chính nó.")
    return by_code


def _check_versions(by_code, errors):
    """The rows of one code (its versions) keep one level and start on different days."""
    for code, group in by_code.items():
        levels = {r.level for r in group}
        if len(levels) > 1:
            errors.append(f"Dòng {group[-1].line}, cột level: mã {code} xuất hiện với nhiều cấp khác nhau.")
        starts = [r.valid_from for r in group]
        if len(group) > 1 and len(set(starts)) < len(starts):
            errors.append(f"Dòng {group[-1].line}, cột valid_from: mã {code} có hai dòng cùng ngày bắt đầu.")
        elif (overlap := overlapping_period([(r.valid_from, r.valid_to) for r in group])) is not None:
            errors.append(f"Dòng {group[overlap].line}, cột valid_from: mã {code} có hai giai đoạn chồng lên nhau "
                          "(giai đoạn trước phải kết thúc trước ngày giai đoạn sau bắt đầu).")


def _sort_key(row):
    return row.valid_from or datetime.date.min


def _current_state(group):
    ordered = sorted(group, key=_sort_key)
    latest = ordered[-1]
    successor = next(
        (r.successor_code for r in reversed(ordered) if r.successor_code and r.successor_code != r.code), ""
    )
    return ordered, {
        "name": latest.name,
        "level": latest.level,
        "kind": latest.kind,
        "parent_id": latest.parent_code or None,
        "valid_from": ordered[0].valid_from,
        "valid_to": latest.valid_to,
        "successor_id": (successor or None) if latest.valid_to else None,
        "note": latest.note[:300],
    }


@transaction.atomic
def areas_import(*, path) -> AreaImportResult:
    """Create or update the units of the file in one transaction; unchanged units are not touched."""
    by_code = parse(path)
    result = AreaImportResult()
    existing = AdministrativeUnit.objects.in_bulk(list(by_code))
    states = {code: _current_state(group) for code, group in by_code.items()}

    # Pass 1: every unit exists (without links), so parents and successors can point anywhere in the file.
    for code, (_ordered, state) in states.items():
        if code not in existing:
            unit = AdministrativeUnit(code=code, **{k: v for k, v in state.items() if k not in ("parent_id", "successor_id")})
            unit.save()
            existing[code] = unit
            result.created += 1
            result.codes.append(code)
            unit._was_created = True

    # Pass 2: attributes and links; versions where a code has more than one row.
    for code, (ordered, state) in states.items():
        unit = existing[code]
        changed = any(getattr(unit, key) != value for key, value in state.items())
        if changed:
            for key, value in state.items():
                setattr(unit, key, value)
            unit.save()
        versions_changed = _sync_versions(unit, ordered)
        if not getattr(unit, "_was_created", False):
            if changed or versions_changed:
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def _sync_versions(unit, ordered):
    if len(ordered) < 2:
        return False
    wanted = [
        (r.valid_from, r.valid_to, r.name, r.kind, r.parent_code or None, r.note[:300]) for r in ordered
    ]
    current = list(
        unit.versions.values_list(
            "valid_from", "valid_to", "name", "kind", "parent_id", "note"
        )
    )
    if sorted(current, key=lambda v: v[0] or datetime.date.min) == wanted:
        return False
    unit.versions.all().delete()
    AdministrativeUnitVersion.objects.bulk_create(
        AdministrativeUnitVersion(
            unit=unit, valid_from=vf, valid_to=vt, name=name, kind=kind, parent_id=parent, note=note
        )
        for vf, vt, name, kind, parent, note in wanted
    )
    return True


def areas_import_text(text, suffix=".csv"):
    """Convenience for tests and seed data: import from a string."""
    with tempfile.NamedTemporaryFile("w", suffix=suffix, encoding="utf-8", delete=False) as handle:
        handle.write(text)
    try:
        return areas_import(path=handle.name)
    finally:
        Path(handle.name).unlink(missing_ok=True)

