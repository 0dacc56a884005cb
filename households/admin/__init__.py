from households.admin import areas, households, officers, review  # noqa: F401
