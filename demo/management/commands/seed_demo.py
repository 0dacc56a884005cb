from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.households import DEMO_ACCOUNTS, seed_demo
from demo.living_standard import seed_living_standard
from demo.low_income import seed_low_income


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (địa bàn Đắk Tô, Đắk Glei; hộ, nhân khẩu; tài khoản demo). Chạy lại nhiều lần vẫn an toàn."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo", help="mật khẩu cho các tài khoản demo (mặc định: demo)")
        parser.add_argument("--force", action="store_true", help="cho phép chạy khi DEBUG tắt (máy thật)")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"] and not getattr(settings, "TESTING", False):
            raise CommandError(
                "DEBUG đang tắt: đây có thể là máy thật. Dữ liệu mẫu và tài khoản mật khẩu yếu không được nạp; "
                "dùng --force nếu thật sự muốn."
            )
        summary = seed_demo(password=options["password"])
        seed_living_standard()  # one household of average living standard, by its own procedure
        seed_low_income()  # one worker with low income, by its own procedure
        self.stdout.write(self.style.SUCCESS(f"Dữ liệu mẫu sẵn sàng ({summary['households_created']} hộ mới, "
            f"{summary['assessments_created']} kết quả rà soát mới, {summary['benefits_created']} lượt hỗ trợ mới)."))
        self.stdout.write("Tài khoản demo (mật khẩu: %s):" % options["password"])
        for username, _role, _areas, description in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<10} {description}")
