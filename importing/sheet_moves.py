"""The “Chuyển từ hộ” column of the “Nhân khẩu” sheet: people of the register who move to the row's household.

A row naming a stored household in “Chuyển từ hộ” moves the person found there (by national ID, else name and
birth year: the members sheet's own match) to the household in “Mã hộ”, with their record, national ID and
history. Rows moving people from one household to another make one event (households.moves): a split when the
household they go to is new in the file, a join when it is stored. The event's rules are the register's
(`move_errors`, as on the page and the API); the day is the import's, the reason names the file. A row whose
person is already in the household it names (the file imported again) is an ordinary row: nothing moves twice.
"""
import datetime
from collections import defaultdict

from households.models import MoveKind
from households.moves import PlannedMove, last_moves, move_errors
from importing.columns import MEMBERS, label

FROM = label(MEMBERS, "moved_from")
COLUMN_OF = {"date": FROM, "members": FROM, "target": "Mã hộ", "relation_to_head": "Quan hệ với chủ hộ",
             "source": FROM}
MOVED_VALUES = ("full_name", "search_name", "gender", "birth_year", "ethnic_group_id", "national_id")


def plan_move(plan, number, row, household, member, existing, match_member):
    """Plan the move of the row's person into `household`. Returns the stored member moved (None when the row
    is not a move: its person is already in `household`), or False after an error on the row."""
    code = row["moved_from"]
    plan.preload([code])
    source = plan.households_by_code.get(code)
    if source is None or source.pk is None:
        plan.error(MEMBERS, number, FROM, f"Không có hộ mã {code} trong sổ thuộc địa bàn của bạn.")
        return False
    if source.code == household.code:
        plan.error(MEMBERS, number, FROM, "Hộ chuyển đến (cột “Mã hộ”) phải khác hộ chuyển đi.")
        return False
    found = match_member(existing.get(source.pk, []), member)
    if found is None:
        if household.pk and match_member(existing.get(household.pk, []), member) is not None:
            return None  # already moved (the same file imported again)
        plan.error(MEMBERS, number, FROM, f"Không có {member.full_name} trong hộ {code} (tìm theo số CCCD, hoặc họ "
                                          "tên và năm sinh).")
        return False
    move = plan.moves.setdefault((source.code, household.code), {"rows": [], "members": [], "relations": {},
                                                                 "values": {}})
    move["rows"].append(number)
    move["members"].append(found)
    move["relations"][found.pk] = row["relation"]
    move["values"][found.pk] = {name: getattr(member, name) for name in MOVED_VALUES}
    found._row = (MEMBERS, number)
    existing[source.pk].remove(found)  # the labour rule reads the households as they will be
    plan.moved_in[household.code].append(found)
    plan.result.would_update["members"] += 1
    return found


def check_moves(plan, heads):
    """Each planned move under the register's rule; a notice of what the file moves. `heads`: {household code:
    rows naming its head} (a split's new head may be a new member of the file)."""
    latest = last_moves(m.pk for move in plan.moves.values() for m in move["members"])
    counts = defaultdict(int)
    today = datetime.date.today()
    for (source_code, target_code), move in plan.moves.items():
        source, target = plan.households_by_code[source_code], plan.households_by_code[target_code]
        kind = MoveKind.JOIN if target.pk else MoveKind.SPLIT
        moving = move["members"]
        staying = plan.stored_members.get(source.pk, [])
        moved_rows = set(move["rows"])
        new_heads = sum(1 for number in heads.get(target_code, []) if number not in moved_rows)
        # a stored household keeps its head unless the file names another (the sheet's head rule says so)
        errors = move_errors(kind=kind, day=today, source=source, moving=moving, staying=staying,
                             relations=move["relations"], target=target if target.pk else None,
                             target_heads=1 if target.pk else new_heads, latest=latest)
        if kind == MoveKind.JOIN:
            errors.pop("relation_to_head", None)  # the members sheet's head rule speaks for a stored household
        for field_name, message in errors.items():
            plan.error(MEMBERS, move["rows"][0], COLUMN_OF.get(field_name, FROM), message)
        counts[kind] += 1
        move["kind"] = kind
    if plan.moves:
        people = sum(len(move["members"]) for move in plan.moves.values())
        plan.result.notices.append(
            f"Chuyển hộ: {people} người ({counts[MoveKind.SPLIT]} lần tách hộ, {counts[MoveKind.JOIN]} lần nhập hộ), "
            f"ghi ngày {today:%d/%m/%Y} với lý do “Theo danh sách nhập (tệp {plan.filename})”.")


def planned_moves(plan):
    """The plan's moves for households.moves.moves_write (after the new households are inserted)."""
    today = datetime.date.today()
    reason = f"Theo danh sách nhập (tệp {plan.filename})"
    return [PlannedMove(move["kind"], today, reason, plan.households_by_code[source_code],
                        plan.households_by_code[target_code], move["members"], move["relations"], move["values"])
            for (source_code, target_code), move in plan.moves.items()]

