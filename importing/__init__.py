"""Import of the Excel lists officers keep: households, members and review results (all or nothing)."""
