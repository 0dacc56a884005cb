"""The register's bulk write path: many households and members at once, with their audit rows.

For writers of many rows (the import). The caller checked the rows with the register's rules and kept the
stored rows as it read them; here they are locked in the one lock order (households, then members, each by
primary key; review rounds and assessments come after, docs/architecture.md) and their versions compared with
what was read, so a row changed meanwhile is refused (core.versioning.StaleRowsError) instead of overwritten.
Call everything inside the writing transaction.
"""
from collections import defaultdict

from django.db import models
from simple_history.utils import bulk_update_with_history

from core.bulk import insert_with_history
from core.versioning import lock_versions
from households.models import Household, Member, Relation, household_search_text
from households.services import household_facts_notify

CHUNK = 5000
HOUSEHOLD_FIELDS = ["commune_id", "village_id", "head_name", "ethnic_group_id", "address", "registered_on",
                    "livelihood", "version"]
MEMBER_FIELDS = ["full_name", "search_name", "gender", "birth_year", "ethnic_group_id", "relation_to_head",
                 "national_id", "version"]


def _chunks(items):
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def lock_households_as_read(households) -> None:
    """Lock the stored `households` (as read: their `version`) and refuse any changed or deleted since."""
    lock_versions(Household, {household.pk: household.version for household in households if household.pk})


def lock_members_as_read(members) -> None:
    """Lock the stored `members` (as read) after their households, and refuse any changed or deleted since."""
    lock_versions(Member, {member.pk: member.version for member in members if member.pk})


def households_insert(households, *, new_members, acting_user, reason, progress=None) -> None:
    """Insert new households; their search key from the names of `new_members` (no second pass)."""
    names = defaultdict(list)
    for member in new_members:
        if member.household.pk is None:
            names[member.household.code].append(member.full_name)
    for household in households:
        household.search_text = household_search_text(household.code, household.head_name, names[household.code])
    insert_with_history(Household, households, user=acting_user, reason=reason, progress=progress)


def households_update(households, *, acting_user, reason) -> None:
    """Write changed households (locked by lock_households), each one version on."""
    for household in households:
        household.version += 1
    bulk_update_with_history(households, Household, HOUSEHOLD_FIELDS, batch_size=2000, default_user=acting_user,
                             default_change_reason=reason)


def members_write(new, changed, *, acting_user, reason, progress=None) -> None:
    """Stored members first, new ones after, in an order the unique rules accept at every statement
    (PostgreSQL and SQLite check them row by row): a file may hand an ID number from one member to another,
    or make another member head. ID numbers that move are cleared first; members who are not head (any more)
    are written before those who are (or become) head; new members come last. Stored members carry
    `_stored` = (relation, national ID) as read."""
    plain = models.QuerySet(model=Member)
    moving = [m.pk for m in changed if m._stored[1] and m.national_id != m._stored[1]]
    for group in _chunks(moving):
        plain.filter(pk__in=group).update(national_id=None)  # in between only: the next update sets them
    for group in ([m for m in changed if m.relation_to_head != Relation.HEAD],
                  [m for m in changed if m.relation_to_head == Relation.HEAD]):
        if group:
            for member in group:
                member.version += 1
            bulk_update_with_history(group, Member, MEMBER_FIELDS, batch_size=2000, default_user=acting_user,
                                     default_change_reason=reason)
    for member in new:
        member.household_id = member.household.pk
    insert_with_history(Member, new, user=acting_user, reason=reason, progress=progress)


def search_text_refresh(household_ids) -> None:
    """Recompute the search key of stored households whose names changed (household_search_text)."""
    ids = sorted(set(household_ids) - {None})
    names = defaultdict(list)
    for group in _chunks(ids):
        for household_id, name in Member.objects.filter(household_id__in=group).values_list("household_id",
                                                                                            "full_name"):
            names[household_id].append(name)
    households = []
    for group in _chunks(ids):
        for household in Household.objects.filter(pk__in=group).only("id", "code", "head_name", "search_text"):
            household.search_text = household_search_text(household.code, household.head_name, names[household.pk])
            households.append(household)
    Household.objects.bulk_update(households, ["search_text"], batch_size=2000)


def facts_changed(household_ids, *, acting_user) -> None:
    """Tell the review (households.services.household_facts_changed) that these households' members or
    livelihood changed, in chunks of a size every database takes."""
    for group in _chunks(sorted(set(household_ids) - {None})):
        household_facts_notify(household_ids=group, acting_user=acting_user)
