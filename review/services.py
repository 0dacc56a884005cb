"""The review's write services and their rules, handed on under one name (this module holds no code).

Callers written before the review was split by job import from here; new code imports from the module
that holds the name:
- review.standards: the standard of a year and its lines;
- review.locks: the project's one lock order, the round locks, the editor check, the held-back notice;
- review.assessments: save and delete an assessment, its input checks, the labour capacity and its override,
  the registration date moved back;
- review.movements: movements over the years (one path), derived writes, re-classification, following the
  household's members and livelihood;
- review.rounds: the round's steps and transitions;
- review.meetings: village meetings and public posting;
- review.calendar: the review window, the deadlines and the level above;
- review.selectors: the reads (the list to review, the class in force, the unassessed households).
"""
from review.assessments import (
    INPUT_DEFAULTS,
    LABOUR_REASON_MAX,
    LABOUR_REASON_REQUIRED,
    MAX_B1_SCORE,
    MAX_INCOME_PER_CAPITA,
    assessment_delete,
    assessment_save,
    labour_capacity,
    labour_derived,
    registered_on_for_review,
    validate_inputs,
)
from review.calendar import round_closed_message
from review.labour import LABOUR_FIELDS
from review.locks import (
    check_editor,
    held_back_notice,
    lock_open_rounds,
    lock_rounds,
    refresh_locked,
    review_round_for,
)
from review.meetings import MEETING_FIELDS, village_meeting_delete, village_meeting_save
from review.movements import (
    DERIVED,
    Reclassified,
    household_facts_refresh,
    household_movements_refresh,
    movements_recompute,
    write_derived,
    year_reclassify,
)
from review.rounds import (
    LEVEL_ABOVE,
    LEVEL_ABOVE_ROLES,
    ROUND_STEPS,
    STEP_VERBS,
    STEPS_WITH_REASON,
    RoundStep,
    parse_decision_date,
    round_decision_correct,
    round_opinion,
    round_recognise,
    round_reopen,
    round_return,
    round_steps,
    round_submit,
)
from review.selectors import failed_meetings, unassessed_households
from review.standards import all_lines, lines_of, standard_for_year

__all__ = [
    "DERIVED", "INPUT_DEFAULTS", "LABOUR_FIELDS", "LABOUR_REASON_MAX", "LABOUR_REASON_REQUIRED", "LEVEL_ABOVE",
    "LEVEL_ABOVE_ROLES", "MAX_B1_SCORE", "MAX_INCOME_PER_CAPITA", "MEETING_FIELDS", "ROUND_STEPS", "STEPS_WITH_REASON",
    "STEP_VERBS", "Reclassified", "RoundStep", "all_lines", "assessment_delete", "assessment_save", "check_editor",
    "failed_meetings", "held_back_notice", "household_facts_refresh", "household_movements_refresh",
    "labour_capacity", "labour_derived", "lines_of", "lock_open_rounds", "lock_rounds", "movements_recompute",
    "parse_decision_date", "refresh_locked", "registered_on_for_review", "review_round_for", "round_decision_correct",
    "round_closed_message", "round_opinion", "round_recognise", "round_reopen", "round_return", "round_steps", "round_submit",
    "standard_for_year", "unassessed_households", "validate_inputs", "village_meeting_delete",
    "village_meeting_save", "write_derived", "year_reclassify",
]
