from django.core.management.base import BaseCommand
from django.db import connection

from demo import synthetic


class Command(BaseCommand):
    help = "Tạo một tỉnh giả lập (mã 99) để đo hiệu năng: hộ, nhân khẩu, kết quả rà soát... Cùng seed cho cùng dữ liệu."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=150_000)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        province = synthetic.build_areas()
        created = synthetic.build_households(province=province, households=options["households"], seed=options["seed"])
        reviews = synthetic.build_reviews(province=province, years=options["years"], seed=options["seed"])
        synthetic.build_support(province=province, years=options["years"], seed=options["seed"])
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner: without them PostgreSQL guessed 62 benefit rows for a year
            # holding 11,000 and chose nested loops that took 1.8 s instead of 50 ms.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(
            f"Tỉnh giả lập: {len(province.communes)} xã, {created} hộ mới (tổng {options['households']}), "
            f"{reviews} kết quả rà soát mới."
        ))
