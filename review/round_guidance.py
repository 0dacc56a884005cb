"""What a round's pages say the chairman's recognition still waits for (issue 26.7), each step with a link to
where it is recorded: the rule is review.round_order.recognition_blockers (the one round_recognise refuses
with); this module only says where, on the round's page (its admin change page), each missing step is made."""
from review.models import ReviewRound
from review.round_order import recognition_blockers
from review.rounds import round_steps

# {field of recognition_blockers: (anchor on the round's page, the step whose button it is or None, link words)}.
# The meetings and postings are rows of the page's "Họp thôn" section (read only for a role that enters no
# records); the report up and the opinion are buttons of "Chuyển bước", shown to the role that takes them.
WHERE_RECORDED = {
    "village_meetings": ("village_meetings-group", None, "Mục họp thôn (biên bản)"),
    "posting": ("village_meetings-group", None, "Mục niêm yết công khai"),
    "status": ("round-steps", "submit", "Gửi báo cáo lên {above}"),
    "opinion": ("round-steps", "opinion", "Ghi ý kiến của {above}"),
}


def missing_steps(user, review_round: ReviewRound | None, on=None) -> list[dict]:
    """[{"field", "message", "anchor", "link"}] of every step recognition waits for (on `on`, default today);
    `anchor` and `link` empty where `user` cannot make the step on the round's page (another role's button). Empty
    for a recognised (locked) round or none."""
    if review_round is None or review_round.is_locked:
        return []
    steps = set(round_steps(user, review_round))
    missing = []
    for field, message in recognition_blockers(review_round, on).items():
        anchor, step, words = WHERE_RECORDED.get(field, ("", None, ""))
        if step is not None and step not in steps:
            anchor = words = ""
        missing.append({"field": field, "message": message, "anchor": anchor,
                        "link": words.format(above=review_round.level_above_name)})
    return missing
