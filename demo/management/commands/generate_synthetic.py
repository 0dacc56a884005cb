import time

from django.core.management.base import BaseCommand
from django.db import connection

from demo import synthetic

# The two provinces the benchmark measures (docs/benchmarks.md): the old Kon Tum, communes in districts, and
# a province after the 2025 reform (Quảng Ngãi with the former Kon Tum), communes directly under it.
PROVINCES = {
    "kontum": {"households": 150_000, "communes": 100, "districts": 10, "villages": 8},
    "new": {"households": 600_000, "communes": 100, "districts": 0, "villages": 16},
}


class Command(BaseCommand):
    help = ("Tạo một tỉnh giả lập (mã 99) để đo hiệu năng: hộ, nhân khẩu, kết quả rà soát... Cùng seed cho cùng "
            "dữ liệu. --province new: tỉnh sau sắp xếp 2025 (600.000 hộ, 100 xã trực thuộc tỉnh).")

    def add_arguments(self, parser):
        parser.add_argument("--province", choices=sorted(PROVINCES), default="kontum")
        parser.add_argument("--households", type=int, help="mặc định theo --province")
        parser.add_argument("--communes", type=int)
        parser.add_argument("--districts", type=int, help="0: các xã trực thuộc tỉnh (sau sắp xếp 2025)")
        parser.add_argument("--villages", type=int, help="số thôn mỗi xã")
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        shape = {key: options[key] if options[key] is not None else value
                 for key, value in PROVINCES[options["province"]].items()}
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # fixtures: a crash means generating again, not lost work
                cursor.execute("SET synchronous_commit = off")
        province = synthetic.build_areas(districts=shape["districts"], communes=shape["communes"],
                                         villages_per_commune=shape["villages"])
        created = synthetic.build_households(province=province, households=shape["households"], seed=options["seed"])
        reviews = synthetic.build_reviews(province=province, years=options["years"], seed=options["seed"])
        synthetic.build_support(province=province, years=options["years"], seed=options["seed"])
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner: without them PostgreSQL guessed 62 benefit rows for a year
            # holding 11,000 and chose nested loops that took 1.8 s instead of 50 ms.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(
            f"Tỉnh giả lập: {len(province.communes)} xã, {created} hộ mới (tổng {shape['households']}), "
            f"{reviews} kết quả rà soát mới, {time.perf_counter() - started:.0f} giây."
        ))
