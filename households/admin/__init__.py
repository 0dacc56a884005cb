from households.admin import areas, households, officers  # noqa: F401
