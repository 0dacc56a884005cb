from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from importing.service import KINDS, households_import


class Command(BaseCommand):
    help = "Nhập hộ, nhân khẩu, kết quả rà soát từ tệp Excel (.xlsx). Có lỗi thì không ghi gì."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="tên đăng nhập của cán bộ nhập (quyết định địa bàn)")
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra và đếm, không ghi")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {options['user']}.")
        last_phase = []

        def progress(phase, done, total):  # one line per phase on stderr, so that stdout stays the summary
            if options["verbosity"] >= 1 and phase not in last_phase:
                last_phase.append(phase)
                self.stderr.write(f"{phase}…")

        try:
            result = households_import(acting_user=user, path=options["file"], filename=options["file"],
                                       dry_run=options["dry_run"], progress=progress)
        except FileNotFoundError as error:
            raise CommandError(f"Không tìm thấy tệp: {options['file']}") from error
        labels = {"households": "hộ", "members": "nhân khẩu", "assessments": "kết quả rà soát"}
        for kind in KINDS:
            counts = (f"{result.created[kind]} mới, {result.updated[kind]} sửa" if result.committed
                      else f"sẽ thêm {result.would_create[kind]}, sẽ sửa {result.would_update[kind]}")
            self.stdout.write(f"{labels[kind]}: {counts}, {result.unchanged[kind]} không đổi")
        for notice in result.notices:
            self.stdout.write(f"Lưu ý: {notice}")
        if result.errors:
            lines = [f"  - {e.sheet or 'Tệp'}{f', dòng {e.row}' if e.row else ''}"
                     f"{f', cột {e.column}' if e.column else ''}: {e.message}" for e in result.errors]
            raise CommandError(f"Không ghi gì: {len(result.errors)} lỗi.\n" + "\n".join(lines))
        self.stdout.write(self.style.SUCCESS("Đã kiểm tra xong (chưa ghi: --dry-run)." if options["dry_run"]
                                             else "Đã nhập xong."))
