"""The “Nhân khẩu” sheet into the plan: new members and changes to stored ones, matched by household and
national ID, else name and birth year. The register's rules: the model's own (Member.clean), the columns'
limits, one national ID per person, one head per household over what is stored plus what the file adds.
"""
from collections import defaultdict

from django.core.exceptions import ValidationError

from core.text import search_key
from households.identity import holder_message, holders
from households.models import Member, Relation
from importing import cells
from importing.columns import MEMBERS
from importing.plan import chunked
from importing.rules import FieldRule
from importing.sheet_moves import check_moves, plan_move

BIRTH_YEAR = FieldRule(Member, "birth_year")
NATIONAL_ID = FieldRule(Member, "national_id")
MEMBER_COLUMNS = {"full_name": "Họ tên", "gender": "Giới tính", "birth_year": "Năm sinh", "birth_date": "Năm sinh",
                  "relation_to_head": "Quan hệ với chủ hộ", "national_id": "Số CCCD"}
RELATIONS = {search_key(label): value for value, label in Relation.choices}
RELATIONS.update({"chu ho": Relation.HEAD, "vo": Relation.SPOUSE, "chong": Relation.SPOUSE, "con": Relation.CHILD,
                  "bo": Relation.PARENT, "me": Relation.PARENT, "chau": Relation.GRANDCHILD})


def check_members(plan, sheet):
    rows = _parsed_rows(plan, sheet) if sheet is not None else []
    plan.preload({row["household"] for _, row in rows} | {row["moved_from"] for _, row in rows if row["moved_from"]})
    existing = plan.stored_members  # the same objects the file's changes are applied to
    ids = plan.stored_ids()
    plan.members_read.update(ids)
    for group in chunked(ids):
        for member in Member.objects.filter(household_id__in=group):
            member._stored = (member.relation_to_head, member.national_id)  # as stored, before the file
            existing[member.household_id].append(member)
    known_ids = _national_ids(plan, rows)
    heads, seen_ids, matched = defaultdict(list), {}, {}  # matched: stored member id -> the row naming them
    for number, row in rows:
        household = plan.household(MEMBERS, number, row["household"])
        if household is None or not _national_id_free(plan, number, row, seen_ids, known_ids):
            continue
        member = _member(plan, household, row)
        if not _member_rules(plan, number, member):
            continue
        moved = plan_move(plan, number, row, household, member, existing, _match_member) if row["moved_from"] else None
        if moved is not None:  # a person of another household moves here (or the row is refused)
            _moved_row(plan, number, row, moved, matched, heads)
            continue
        match = _match_member(existing.get(household.pk, []) if household.pk else [], member)
        if match is not None and match.pk in matched:
            plan.error(MEMBERS, number, "Họ tên", f"Dòng này và dòng {matched[match.pk]} cùng là {match.full_name} "
                                                  f"của hộ {row['household']} trong sổ: mỗi người chỉ một dòng.")
            continue
        if row["relation"] == Relation.HEAD:
            heads[row["household"]].append(number)
        if match is None:
            member._row = (MEMBERS, number)
            plan.new_members.append(member)
            plan.result.would_create["members"] += 1
            continue
        matched[match.pk] = number
        _apply(plan, number, match, member)
    _check_heads(plan, heads, existing, matched)
    check_moves(plan, heads)
    plan.heads_in_file = set(heads)
    _heads_from_household_sheet(plan, existing)


def _moved_row(plan, number, row, moved, matched, heads):
    if moved is False:
        return
    if moved.pk in matched:
        plan.error(MEMBERS, number, "Họ tên", f"Dòng này và dòng {matched[moved.pk]} cùng là {moved.full_name}: mỗi "
                                              "người chỉ một dòng.")
        return
    matched[moved.pk] = number
    if row["relation"] == Relation.HEAD:
        heads[row["household"]].append(number)


def _parsed_rows(plan, sheet):
    rows = []
    for number, values in plan.rows(sheet):
        try:
            row = plan.read_row(sheet, number, values, {"ethnic_group": plan.ethnic_group})
        except cells.CellError:
            continue
        if plan.missing(MEMBERS, number, row):
            continue
        row["relation"] = RELATIONS.get(search_key(row["relation"] or "khac"), Relation.OTHER)
        rows.append((number, row))
    return rows


def _national_ids(plan, rows):
    """{national ID of the file: its stored holder} (households.identity.holders)."""
    return holders(row["national_id"] for _, row in rows)


def _national_id_free(plan, number, row, seen_ids, known_ids):
    """The row's national ID (if any) is well formed, once in the file, and not another household's: refused in
    the words of households.identity (a holder outside the officer's area is not named)."""
    national_id = row["national_id"] = row["national_id"] or None
    if not national_id:
        return True
    try:
        NATIONAL_ID.check(national_id)
    except cells.CellError as error:
        plan.error(MEMBERS, number, "Số CCCD", str(error))
        return False
    if national_id in seen_ids:
        plan.error(MEMBERS, number, "Số CCCD", f"Số CCCD lặp lại (dòng {seen_ids[national_id]}).")
        return False
    seen_ids[national_id] = number
    holder = known_ids.get(national_id)
    if holder is not None and holder.household_code not in (row["household"], row.get("moved_from")):
        plan.error(MEMBERS, number, "Số CCCD", holder_message(national_id, holder,
                                                               visible=plan.in_scope(holder.commune_id)))
        return False
    return True


def ids_taken_meanwhile(plan) -> bool:
    """After a write refused by the unique index: say on each row whose national ID another writer stored while
    the file was written that it is taken (households.identity); False when none was."""
    members = [m for m in [*plan.new_members, *plan.changed_members] if m.national_id]
    found = holders(m.national_id for m in members)
    taken = [(m, found[m.national_id]) for m in members
             if m.national_id in found and found[m.national_id].member_id != m.pk]
    for member, holder in taken:
        plan.error(*member._row, "Số CCCD", holder_message(member.national_id, holder,
                                                             visible=plan.in_scope(holder.commune_id)))
    return bool(taken)


MEMBER_VALUES = ("full_name", "gender", "birth_year", "ethnic_group_id", "relation_to_head", "national_id")


def _member(plan, household, row):
    ethnic = row["ethnic_group"] or (plan.ethnic.get(household.ethnic_group_id) if household.ethnic_group_id
                                     else None)
    return Member(household=household, full_name=row["full_name"], search_name=search_key(row["full_name"]),
                  gender=row["gender"], birth_year=row["birth_year"], ethnic_group_id=ethnic.code if ethnic else "01",
                  relation_to_head=row["relation"], national_id=row["national_id"])


def _member_rules(plan, number, member):
    """The model's own rules of the row's member (Member.clean: the birth year not in the future nor more
    than 120 years back), then what the columns hold. False, with the errors said, when a rule fails."""
    try:
        member.clean()
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            plan.error(MEMBERS, number, MEMBER_COLUMNS.get(field_name, field_name), " ".join(messages))
        return False
    try:
        BIRTH_YEAR.check(member.birth_year)
    except cells.CellError as error:
        plan.error(MEMBERS, number, "Năm sinh", str(error))
        return False
    return True


def _match_member(candidates, member):
    for stored in candidates:
        if member.national_id and stored.national_id == member.national_id:
            return stored
    for stored in candidates:
        if search_key(stored.full_name) == search_key(member.full_name) and (
                stored.birth_year == member.birth_year or member.birth_year is None):
            return stored
    return None


def _apply(plan, number, match, member):
    match._row = (MEMBERS, number)
    if all(getattr(match, key) == getattr(member, key) for key in MEMBER_VALUES):
        plan.result.unchanged["members"] += 1
        return
    for key in MEMBER_VALUES:
        setattr(match, key, getattr(member, key))
    match.search_name = search_key(match.full_name)
    plan.changed_members.append(match)
    plan.result.would_update["members"] += 1


def _check_heads(plan, heads, existing, matched):
    for code, numbers in heads.items():
        if len(numbers) > 1:
            plan.error(MEMBERS, numbers[1], "Quan hệ với chủ hộ",
                       f"Hộ {code} có {len(numbers)} chủ hộ (dòng {', '.join(map(str, numbers))}): chỉ được một.")
            continue
        household = plan.households_by_code[code]
        # the one-head rule over what is stored plus what the file adds: a stored head the file does not
        # name stays head, so the file's head would be a second one
        stored = [m for m in existing.get(household.pk, []) if household.pk
                  if m.pk not in matched and m.relation_to_head == Relation.HEAD]
        if stored:
            name = stored[0].full_name
            plan.error(MEMBERS, numbers[0], "Quan hệ với chủ hộ",
                       f"Hộ {code} đã có chủ hộ {name} trong sổ: mỗi hộ chỉ có một chủ hộ. Muốn đổi chủ hộ, "
                       f"ghi cả {name} vào tệp với quan hệ mới (ví dụ Vợ/chồng).")


def _heads_from_household_sheet(plan, existing):
    """A household whose head is not on the members sheet gets one from “Họ tên chủ hộ”."""
    for household in plan.new_households:
        if household.code not in plan.heads_in_file:
            plan.new_members.append(Member(
                household=household, full_name=household.head_name, search_name=search_key(household.head_name),
                ethnic_group_id=household.ethnic_group_id, relation_to_head=Relation.HEAD))
            plan.result.would_create["members"] += 1
    for household in plan.changed_households:
        if household.code in plan.heads_in_file:
            continue
        head = next((m for m in existing.get(household.pk, []) if m.relation_to_head == Relation.HEAD), None)
        if head and (head.full_name != household.head_name or head.ethnic_group_id != household.ethnic_group_id):
            head.full_name, head.ethnic_group_id = household.head_name, household.ethnic_group_id
            head.search_name = search_key(head.full_name)
            head._row = household._row
            if head not in plan.changed_members:
                plan.changed_members.append(head)
                plan.result.would_update["members"] += 1
