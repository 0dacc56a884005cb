"""`manage.py restore FILE` (`make restore FILE=...`): replace the database by a backup made by `backup`
(core.backup). `--database-url` restores into another database instead (to check a backup), and `--compare`
then compares every table's row count and checksum with the project's database."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import NOT_INCLUDED, BackupError, database_settings, restore, table_fingerprints

CONFIRM = "có"


class Command(BaseCommand):
    help = "Khôi phục cơ sở dữ liệu từ một bản sao lưu (thay toàn bộ dữ liệu hiện có)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp sao lưu do lệnh backup tạo")
        parser.add_argument("--database-url", help="khôi phục vào cơ sở dữ liệu này (thử) thay vì cơ sở dữ liệu "
                                                   "của trang, ví dụ postgres://postgres@127.0.0.1/thu_khoi_phuc")
        parser.add_argument("--compare", action="store_true", help="sau khi khôi phục vào --database-url: so số "
                                                                   "dòng và tổng kiểm của từng bảng với cơ sở dữ liệu của trang")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="không hỏi xác nhận")

    def handle(self, *args, **options):
        if options["compare"] and not options["database_url"]:
            raise CommandError("--compare cần --database-url: khôi phục vào một cơ sở dữ liệu thử rồi so với cơ sở "
                               "dữ liệu của trang.")
        try:
            target = database_settings(options["database_url"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        path = Path(options["file"])
        if options["interactive"]:
            answer = input(f"Toàn bộ dữ liệu của {target['NAME']} sẽ được thay bằng bản sao {path}. "
                           f"Gõ “{CONFIRM}” để tiếp tục: ")
            if answer.strip().lower() != CONFIRM:
                raise CommandError("Đã huỷ: không khôi phục gì.")
        try:
            restore(target, path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Đã khôi phục {target['NAME']} từ {path}."))
        self.stdout.write(NOT_INCLUDED)
        if options["compare"]:
            self._compare(target)

    def _compare(self, target):
        restored, current = table_fingerprints(target), table_fingerprints(database_settings())
        differ = sorted(table for table in restored.keys() | current.keys()
                        if restored.get(table) != current.get(table))
        for table in differ:
            self.stdout.write(f"  khác: {table} — bản khôi phục {restored.get(table, ('không có', ''))[0]} dòng, "
                              f"hiện tại {current.get(table, ('không có', ''))[0]} dòng")
        if differ:
            raise CommandError(f"{len(differ)} bảng khác với cơ sở dữ liệu hiện tại (có thể do dữ liệu ghi sau khi "
                               "sao lưu).")
        self.stdout.write(self.style.SUCCESS(f"Khớp: {len(restored)} bảng, cùng số dòng và tổng kiểm."))
