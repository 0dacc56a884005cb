from django.core.management.base import BaseCommand, CommandError

from areas.services import AreaImportError, areas_import


class Command(BaseCommand):
    help = "Nạp đơn vị hành chính từ tệp CSV/XLSX (code,name,level,kind,parent_code,valid_from,valid_to,successor_code,note)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="đường dẫn tệp .csv hoặc .xlsx")

    def handle(self, *args, **options):
        try:
            result = areas_import(path=options["file"])
        except FileNotFoundError as error:
            raise CommandError(f"Không tìm thấy tệp: {options['file']}") from error
        except AreaImportError as error:
            raise CommandError(
                "Không nạp gì cả: tệp có lỗi.\n" + "\n".join(f"  - {e}" for e in error.errors)
            ) from error
        self.stdout.write(self.style.SUCCESS(
            f"Đã nạp: {result.created} mới, {result.updated} cập nhật, {result.unchanged} không đổi."
        ))
