from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.services import officer_save


class Command(BaseCommand):
    help = "Tạo hoặc cập nhật tài khoản cán bộ với vai trò và địa bàn."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values, help="; ".join(
            f"{role.value}: {role.label}" for role in Role))
        parser.add_argument("--area", action="append", default=[], metavar="CODE", help=(
            "mã địa bàn (lặp lại được); commune_chair: mã xã, province_officer: mã tỉnh"))
        parser.add_argument("--password", help="mật khẩu (bắt buộc khi tạo mới)")

    def handle(self, *args, **options):
        try:
            user, created = officer_save(
                username=options["username"], role=options["role"],
                area_codes=options["area"], password=options["password"],
            )
        except ValidationError as error:
            messages = [f"{field}: {'; '.join(msgs)}" for field, msgs in error.message_dict.items()] \
                if hasattr(error, "error_dict") else error.messages
            raise CommandError("\n".join(messages)) from error
        verb = "Đã tạo" if created else "Đã cập nhật"
        areas = ", ".join(options["area"]) or "toàn bộ"
        self.stdout.write(self.style.SUCCESS(f"{verb} tài khoản {user.username} ({options['role']}; địa bàn: {areas})."))
