"""`manage.py backup [FILE]` (`make backup`): a backup of the database (core.backup), by default into
backups/ with the date and time in its name."""
import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import NOT_INCLUDED, BackupError, backup, database_settings, is_postgresql


class Command(BaseCommand):
    help = ("Sao lưu cơ sở dữ liệu (PostgreSQL: pg_dump định dạng custom; SQLite: sao chép trực tuyến). "
            "Không gồm các tệp nhập đang chờ ghi.")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="tệp sao lưu (mặc định: backups/poverty_tracker-<ngày giờ>.dump "
                                                    "hoặc .sqlite3)")

    def handle(self, *args, **options):
        database = database_settings()
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        suffix = ".dump" if is_postgresql(database) else ".sqlite3"
        path = Path(options["file"] or settings.BASE_DIR / "backups" / f"poverty_tracker-{stamp}{suffix}")
        try:
            backup(database, path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Đã sao lưu cơ sở dữ liệu vào {path} "
                                             f"({path.stat().st_size / 1024 / 1024:.1f} MB)."))
        self.stdout.write(NOT_INCLUDED)
        self.stdout.write("Kiểm tra bản sao: khôi phục vào một cơ sở dữ liệu thử rồi so sánh — "
                          f"python manage.py restore {path} --database-url <URL cơ sở dữ liệu thử> --compare")
