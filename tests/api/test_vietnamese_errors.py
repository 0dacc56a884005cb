"""API errors in Vietnamese, with no English left: DRF's own catalogue translates only a few of its messages,
the rest come from locale/vi (DRF's and django-filter's strings). Bad requests of every kind answer in
Vietnamese, and every message of DRF's modules has a translation that keeps its placeholders, so a DRF upgrade
that adds a message fails here naming it."""
import ast
import re
import string
from pathlib import Path

import django_filters
import pytest
import rest_framework
from django.utils import translation
from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.test import APIClient

from households.models import Member
from tests.factories import HouseholdFactory, MemberFactory

API = "/api/v1"

# The modules whose messages reach an API client (errors, and the help of the API's documentation).
DRF = Path(rest_framework.__file__).parent
FILTERS = Path(django_filters.__file__).parent
MODULES = [DRF / name for name in ("exceptions.py", "fields.py", "relations.py", "pagination.py",
                                   "authentication.py", "serializers.py", "validators.py", "filters.py",
                                   "authtoken/serializers.py")] + [FILTERS / "fields.py", FILTERS / "filters.py"]
GETTEXT = {"_": 1, "gettext": 1, "gettext_lazy": 1, "ngettext": 2, "ngettext_lazy": 2}


def msgids(path):
    """The literal msgids of gettext calls in a module, as xgettext finds them (ngettext: both forms)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        for arg in node.args[:GETTEXT.get(name, 0)]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                found.add(arg.value)
    return found


ALL_MSGIDS = sorted(set().union(*(msgids(path) for path in MODULES)))


def placeholders(text):
    """{name}/{name:spec} fields and %-conversions, which a translation must keep exactly."""
    braces = sorted((field, spec) for _, field, spec, _ in string.Formatter().parse(text) if field is not None)
    return braces, sorted(re.findall(r"%(?:\([^)]*\))?[sd]", text))


def test_every_drf_message_has_a_vietnamese_translation_keeping_its_placeholders():
    assert len(ALL_MSGIDS) > 100, ALL_MSGIDS  # the extraction itself still works
    with translation.override("vi"):
        missing = [msgid for msgid in ALL_MSGIDS if gettext(msgid) == msgid]
        broken = [(msgid, gettext(msgid)) for msgid in ALL_MSGIDS
                  if gettext(msgid) != msgid and placeholders(gettext(msgid)) != placeholders(msgid)]
    assert not missing, ("Untranslated; add them to locale/vi/LC_MESSAGES/django.po, then `make messages`:\n"
                         + "\n".join(missing))
    assert not broken, f"Translations that lose or change a placeholder: {broken}"


# English a message must not carry: DRF's and django-filter's own messages (placeholders as wildcards), and
# words of theirs that Vietnamese never uses.
ENGLISH_MESSAGE = re.compile("|".join(
    "(?:" + ".*".join(re.escape(part) for part in re.split(r"\{[^}]*\}|%(?:\([^)]*\))?[sd]", msgid)) + ")"
    for msgid in ALL_MSGIDS + ["JSON parse error - {}", "No {} matches the given query."]))
ENGLISH_WORDS = re.compile(
    r"\b(the|is|not|was|were|may|must|valid|invalid|field|required|expected|ensure|error|match(es)?|query|"
    r"credentials|provided|page|items?|request|unsupported|parse|allowed|permission|found|header)\b", re.I)


def messages(body):
    if isinstance(body, dict):
        return [text for value in body.values() for text in messages(value)]
    if isinstance(body, list):
        return [text for value in body for text in messages(value)]
    return [body] if isinstance(body, str) else []


def vietnamese(response, status):
    """The response's body, after checking its status and that none of its messages is English."""
    assert response.status_code == status, (response.status_code, response.content.decode())
    body = response.json()
    english = [text for text in messages(body) if ENGLISH_MESSAGE.fullmatch(text) or ENGLISH_WORDS.search(text)]
    assert not english, f"English in {body}"
    return body


def client_of(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def officer(users):
    HouseholdFactory(code="VI-1", commune_id="90101")
    return client_of(users["commune"])


@pytest.mark.django_db
def test_a_page_past_the_end(officer):
    body = vietnamese(officer.get(f"{API}/households/", {"page": 99}), 404)
    assert body == {"detail": "Trang không hợp lệ."}


@pytest.mark.django_db
def test_an_unknown_household(officer):
    body = vietnamese(officer.get(f"{API}/households/NOPE/"), 404)
    assert body == {"detail": "Không tìm thấy."}


@pytest.mark.django_db
def test_no_credentials(users):
    response = client_of().get(f"{API}/households/")
    body = vietnamese(response, 401)
    assert body == {"detail": "Chưa có thông tin xác thực: hãy đăng nhập hoặc gửi kèm khoá truy cập API."}
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
@pytest.mark.parametrize("header, detail", [
    ("Token " + "0" * 40, "Khoá truy cập API không hợp lệ."),
    ("Token", "Tiêu đề xác thực Token không hợp lệ: không có khoá truy cập API."),
    ("Token a b", "Tiêu đề xác thực Token không hợp lệ: khoá truy cập API không được chứa dấu cách."),
])
def test_a_bad_token(users, header, detail):
    body = vietnamese(APIClient(HTTP_AUTHORIZATION=header).get(f"{API}/households/"), 401)
    assert body == {"detail": detail}


@pytest.mark.django_db
def test_malformed_json_is_named_by_line_and_column(officer):
    body = vietnamese(officer.post(f"{API}/households/", data='{"code":\n  }', content_type="application/json"), 400)
    assert body == {"detail": "Dữ liệu JSON không đọc được: lỗi ở dòng 2, cột 3."}
    body = vietnamese(officer.post(f"{API}/households/", data=b'{"code": "\xff"}', content_type="application/json"),
                      400)
    assert body == {"detail": "Dữ liệu JSON phải được mã hoá UTF-8."}


@pytest.mark.django_db
def test_a_broken_multipart_body(officer):
    response = officer.post(f"{API}/households/", data=b"--x\r\nbroken", content_type="multipart/form-data; boundary=")
    assert vietnamese(response, 400) == {"detail": "Dữ liệu gửi lên (multipart) không đọc được: hãy kiểm tra cách "
                                                   "gửi tệp."}


@pytest.mark.django_db
def test_unsupported_media_type(officer):
    body = vietnamese(officer.post(f"{API}/households/", data="code=X", content_type="text/plain"), 415)
    assert body == {"detail": "Không hỗ trợ kiểu dữ liệu “text/plain” trong yêu cầu."}


@pytest.mark.django_db
def test_method_not_allowed_and_not_acceptable(officer):
    assert vietnamese(officer.put(f"{API}/households/", {}, format="json"), 405) == {
        "detail": "Phương thức “PUT” không được chấp nhận."}
    assert vietnamese(officer.get(f"{API}/households/", HTTP_ACCEPT="application/xml"), 406) == {
        "detail": "Không trả được dữ liệu theo định dạng mà tiêu đề Accept của yêu cầu đòi hỏi."}


@pytest.mark.django_db
def test_a_household_with_wrong_types(officer):
    body = vietnamese(officer.post(f"{API}/households/", {
        "code": "VI-2", "commune": {"code": "90101"}, "head_name": None, "status": "zz", "ethnic_group": "ZZ",
        "livelihood": "zz"}, format="json"), 400)
    assert body["head_name"] == ["Trường này không được để trống (null)."]
    assert body["status"] == ["“zz” không phải là lựa chọn hợp lệ."]
    assert body["livelihood"] == ["“zz” không phải là lựa chọn hợp lệ."]
    assert body["ethnic_group"] == ["Không có bản ghi nào có code=ZZ."]
    assert body["commune"][0].startswith("Không có code=") and body["commune"][0].endswith("trong địa bàn của bạn.")
    not_an_object = vietnamese(officer.post(f"{API}/households/", [{"code": "VI-2"}], format="json"), 400)
    assert not_an_object == {
        "non_field_errors": ["Dữ liệu không hợp lệ: cần một đối tượng (dictionary), nhưng nhận được list."]}


@pytest.mark.django_db
def test_a_member_with_wrong_types(officer, users):
    member = MemberFactory(household=HouseholdFactory(code="VI-3", commune_id="90101"))
    body = vietnamese(officer.post(f"{API}/members/", {
        "household": "VI-3", "full_name": ["Y Con"], "birth_year": "năm 2019", "has_disability": "có lẽ",
        "ethnic_group": "14", "relation_to_head": "child"}, format="json"), 400)
    assert body["birth_year"] == ["Phải là số nguyên hợp lệ."]
    assert body["has_disability"] == ["Phải là giá trị đúng/sai (true/false)."]
    assert body["full_name"] == ["Không phải là chuỗi ký tự hợp lệ."]
    longest = Member._meta.get_field("full_name").max_length
    too_long = vietnamese(officer.patch(f"{API}/members/{member.pk}/", {
        "full_name": "A" * (longest + 1), "version": member.version}, format="json"), 400)
    assert too_long["full_name"] == [f"Trường này chỉ được có tối đa {longest} ký tự."]


@pytest.mark.django_db
def test_an_assessment_with_a_text_where_a_list_is_expected(officer):
    body = vietnamese(officer.post(f"{API}/assessments/", {
        "household": "VI-1", "year": 2024, "deprivations": "1,4,9", "income_per_capita": "một triệu"},
        format="json"), 400)
    assert body["deprivations"] == ["Cần một danh sách, nhưng nhận được kiểu “str”."]
    assert body["income_per_capita"] == ["Phải là số nguyên hợp lệ."]


def test_the_errors_no_request_here_provokes_cheaply():
    """Throttling (the anonymous rate is 60 a minute), a refused permission, a server error."""
    with translation.override("vi"):
        assert str(exceptions.Throttled(wait=4.2).detail) == (
            "Quá nhiều yêu cầu trong thời gian ngắn. Hãy thử lại sau 5 giây.")
        assert str(exceptions.Throttled(wait=1).detail) == (
            "Quá nhiều yêu cầu trong thời gian ngắn. Hãy thử lại sau 1 giây.")
        assert str(exceptions.PermissionDenied().detail) == "Tài khoản của bạn không có quyền thực hiện thao tác này."
        assert str(exceptions.APIException().detail) == "Máy chủ gặp lỗi."
        assert str(exceptions.NotFound().detail) == "Không tìm thấy."
