"""The “Hộ gia đình” sheet into the plan: new households, and changes to the officer's stored ones.

The household's own rules are the register's: its model's field rules, the placement rule of the 2025 reform
(households.models.placement_errors), the default livelihood (households.services.default_livelihood).
"""
import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError

from areas.models import AdministrativeUnit
from core.text import clean_text, search_key
from households.models import Household, Livelihood, placement_errors
from households.services import default_livelihood
from importing import cells
from importing.columns import HOUSEHOLDS
from importing.historical import former_villages, place_today
from importing.plan import chunked

# Model fields -> the column that holds them, for errors raised by the models' own rules.
HOUSEHOLD_COLUMNS = {"code": "Mã hộ", "head_name": "Họ tên chủ hộ", "address": "Địa chỉ", "commune": "Mã xã",
                     "village": "Thôn"}
# "Sinh kế chính": the labels of households.models.Livelihood, their codes, and the usual short forms.
LIVELIHOODS = {search_key(label): value for value, label in Livelihood.choices}
LIVELIHOODS.update({value: value for value in Livelihood.values})
LIVELIHOODS.update({"nong": Livelihood.AGRICULTURE, "trong trot, chan nuoi": Livelihood.AGRICULTURE,
                    "lam": Livelihood.FORESTRY, "ngu": Livelihood.FISHERY, "thuy san": Livelihood.FISHERY,
                    "diem": Livelihood.SALT, "lam muoi": Livelihood.SALT, "khac": Livelihood.OTHER,
                    "nganh khac": Livelihood.OTHER, "phi nong nghiep": Livelihood.OTHER})


def livelihood(raw):
    """“Sinh kế chính”: a Livelihood label (Nông nghiệp … Ngành nghề khác), its code or a short form; blank: None."""
    value = cells.text(raw)
    if not value:
        return None
    found = LIVELIHOODS.get(search_key(value))
    if found is None:
        raise cells.CellError(f"“{value}”: ghi Nông nghiệp, Lâm nghiệp, Ngư nghiệp, Diêm nghiệp hoặc Ngành nghề khác.")
    return found


def check_households(plan, sheet):
    if sheet is None:
        return
    parsed = _parsed_rows(plan, sheet)
    communes = {row["commune"] for _, row in parsed}
    units = AdministrativeUnit.objects.in_bulk(list(communes))
    villages = _villages(communes)
    existing = {}
    for codes in chunked([row["code"] for _, row in parsed]):
        existing.update({h.code: h for h in Household.objects.filter(code__in=codes)})
    for number, row in parsed:
        household = existing.get(row["code"])
        placed = _placement(plan, number, row, units, villages, household)
        if placed is None:
            plan.refused_codes.add(row["code"])
            continue
        _plan_household(plan, number, row, household, *placed)


def _parsed_rows(plan, sheet):
    """[(row number, {key: value})] of the rows whose cells are readable, required ones given, codes unique."""
    parsed, seen = [], {}
    for number, values in plan.rows(sheet):
        try:
            row = plan.read_row(sheet, number, values, {"ethnic_group": plan.ethnic_group, "livelihood": livelihood})
        except cells.CellError:
            plan.refused_codes.add(_raw_code(sheet, values))
            continue
        if plan.missing(HOUSEHOLDS, number, row):
            plan.refused_codes.add(row["code"])
            continue
        if row["code"] in seen:
            plan.error(HOUSEHOLDS, number, "Mã hộ", f"Mã hộ {row['code']} lặp lại (đã có ở dòng {seen[row['code']]}).")
            continue
        seen[row["code"]] = number
        parsed.append((number, row))
    return parsed


def _raw_code(sheet, values):
    """The household code of a row whose cells could not all be read ("" when the code cannot be)."""
    index = sheet.columns.get("code")
    try:
        return cells.text(values[index]) if index is not None and index < len(values) else ""
    except cells.CellError:
        return ""


def _villages(communes):
    """{commune code: {code, name, "kind name" (search keys): village}}: the villages under each commune now, and
    those it had before the reform re-parented them (a list kept before 1 July 2025 names them so)."""
    villages = defaultdict(dict)
    pairs = [(village.parent_id, village) for village in AdministrativeUnit.objects.filter(
        level="village", parent_id__in=communes)]
    pairs += [(commune, village) for commune, former in former_villages(communes).items() for village in former]
    for commune, village in pairs:
        villages[commune].setdefault(village.code, village)
        villages[commune].setdefault(search_key(village.name), village)
        villages[commune].setdefault(search_key(f"{village.get_kind_display()} {village.name}"), village)
    return villages


def _placement(plan, number, row, units, villages, household):
    """(commune, village) of the row, or None after saying why the row cannot be placed there."""
    commune = units.get(row["commune"])
    if commune is None or commune.level != "commune":
        plan.error(HOUSEHOLDS, number, "Mã xã", f"Không có xã/phường mã {row['commune']}.")
        return None
    if not plan.in_scope(commune.code):
        plan.error(HOUSEHOLDS, number, "Mã xã", f"Xã {commune.code} không thuộc địa bàn của bạn.")
        return None
    village = None
    if row["village"]:
        village = villages[commune.code].get(row["village"]) or villages[commune.code].get(search_key(row["village"]))
        if village is None:
            plan.error(HOUSEHOLDS, number, "Thôn", f"Không có thôn “{row['village']}” trong xã {commune.code}.")
            return None
    if household is not None and not plan.in_scope(household.commune_id):
        # the code is taken outside the officer's area: say only that it cannot be used here
        plan.error(HOUSEHOLDS, number, "Mã hộ", f"Không dùng được mã hộ {row['code']} trong địa bàn của bạn: "
                                                "hãy dùng mã khác.")
        return None
    stored = (household.commune_id, household.village_id) if household is not None else (None, None)
    closed = placement_errors(commune, village, stored)
    if closed and commune.code != stored[0] and commune.valid_to is not None:  # a unit merged away (historical.py)
        placed = place_today(plan, number, row["code"], commune, village, household)
        if placed is not None:
            return placed
    for field_name, message in closed.items():
        plan.error(HOUSEHOLDS, number, HOUSEHOLD_COLUMNS[field_name], message)
    return None if closed else (commune, village)


def _plan_household(plan, number, row, household, commune, village):
    values = {"commune_id": commune.code, "village_id": village.code if village else None,
              "head_name": clean_text(row["head_name"]), "ethnic_group_id": row["ethnic_group"].code,
              "address": row["address"] or ""}
    # "Sinh kế chính": blank keeps a stored household's; a new one gets its commune's default
    if row["livelihood"] or household is None:
        values["livelihood"] = row["livelihood"] or default_livelihood(commune)
    if household is None:
        household = _new_household(plan, number, row, values)
        if household is None:
            return
    elif any(getattr(household, key) != value for key, value in values.items()):
        if values.get("livelihood", household.livelihood) != household.livelihood:
            plan.livelihood_changed.add(household.code)
        for key, value in values.items():
            setattr(household, key, value)
        household._row = (HOUSEHOLDS, number)
        plan.changed_households.append(household)
        plan.result.would_update["households"] += 1
    else:
        household._row = (HOUSEHOLDS, number)
        plan.result.unchanged["households"] += 1
        plan.unchanged_codes.add(row["code"])
    plan.households_by_code[row["code"]] = household


def _new_household(plan, number, row, values):
    # registered today, or on 1 January of its first reviewed year (sheet_reviews)
    household = Household(code=row["code"], registered_on=datetime.date.today(), **values)
    try:
        # the model's field rules (each value was checked as it was read; this keeps any rule added to the
        # model later); duplicates and places were checked above, in bulk
        household.clean_fields(exclude=["version", "commune", "village", "ethnic_group", "search_text"])
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            plan.error(HOUSEHOLDS, number, HOUSEHOLD_COLUMNS.get(field_name, field_name), "; ".join(messages))
        plan.refused_codes.add(row["code"])
        return None
    household._row = (HOUSEHOLDS, number)
    plan.new_households.append(household)
    plan.result.would_create["households"] += 1
    return household
