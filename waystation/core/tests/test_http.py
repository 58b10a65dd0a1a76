"""The three view helpers of core.http, each on its own, and the audit log's pager that keeps
its filters on both links."""

import re
from html import unescape

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from waystation.core.http import attachment, content_disposition, flash_errors, paginate
from waystation.privacy.audit import AuditAction, audit_record


def _request(path: str = "/"):
    request = RequestFactory().get(path)
    request.session = {}  # type: ignore[attr-defined]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def _said(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


class _DatesForm(forms.Form):
    start = forms.DateField(label="开始日期", error_messages={"required": "请填写开始日期"})
    end = forms.DateField(label="结束日期", error_messages={"required": "请填写结束日期"})

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("结束日期不能早于开始日期")
        return data


def test_a_field_error_of_a_form_is_flashed_as_an_error():
    request = _request()
    form = _DatesForm({"start": "2026-01-01"})
    assert not form.is_valid()
    flash_errors(request, form)
    assert _said(request) == [("error", "请填写结束日期")]


def test_a_non_field_error_of_a_form_is_flashed_as_an_error():
    request = _request()
    form = _DatesForm({"start": "2026-02-01", "end": "2026-01-01"})
    assert not form.is_valid()
    flash_errors(request, form)
    assert _said(request) == [("error", "结束日期不能早于开始日期")]


def test_every_message_of_a_validation_error_is_flashed_in_one_line():
    request = _request()
    flash_errors(request, ValidationError({"year": ["年度无效"], "name": ["请填写名称"]}))
    assert _said(request) == [("error", "年度无效；请填写名称")]


def test_a_plain_validation_error_is_flashed_as_it_is():
    request = _request()
    flash_errors(request, ValidationError("请选择方案和赠送工会"))
    assert _said(request) == [("error", "请选择方案和赠送工会")]


def _links(html: str) -> dict[str, str]:
    """The pager's links by their text."""
    pager = re.search(r'<div class="pager">.*?</div>', html, re.S)
    assert pager is not None
    return {
        text: unescape(href)
        for href, text in re.findall(r'<a href="([^"]*)">([^<]*)</a>', pager.group())
    }


def test_pager_links_keep_the_filters_and_drop_the_page():
    request = _request("/list/?status=active&district=tianning&page=2")
    page, params = paginate(request, list(range(120)), 50)
    assert page.number == 2
    assert params == "status=active&district=tianning"
    html = render_to_string("core/pager.html", {"page": page, "params": params})
    assert _links(html) == {
        "上一页": "?status=active&district=tianning&page=1",
        "下一页": "?status=active&district=tianning&page=3",
    }
    assert "第 2 / 3 页" in html


def test_pager_links_without_filters_carry_only_the_page():
    page, params = paginate(_request("/list/"), list(range(120)), 50)
    assert params == ""
    html = render_to_string("core/pager.html", {"page": page, "params": params})
    assert _links(html) == {"下一页": "?page=2"}


def test_a_page_number_past_the_end_gives_the_last_page():
    page, _ = paginate(_request("/list/?page=99"), list(range(120)), 50)
    assert page.number == 3


def test_a_chinese_file_name_has_an_ascii_fallback_and_an_rfc5987_name():
    resp = attachment(b"x", "会员名册-2026.xlsx", "application/octet-stream")
    assert resp["Content-Disposition"] == (
        "attachment; filename=\"2026.xlsx\"; filename*=UTF-8''"
        "%E4%BC%9A%E5%91%98%E5%90%8D%E5%86%8C-2026.xlsx"
    )


def test_a_name_of_chinese_only_falls_back_to_download():
    assert content_disposition("会员.xlsx") == (
        "attachment; filename=\"download.xlsx\"; filename*=UTF-8''%E4%BC%9A%E5%91%98.xlsx"
    )


def test_an_ascii_file_name_is_sent_as_it_is():
    resp = attachment(b"x", "members.xlsx", "application/octet-stream")
    assert resp["Content-Disposition"] == 'attachment; filename="members.xlsx"'
    assert resp["Content-Type"] == "application/octet-stream"
    assert resp.content == b"x"


def test_an_inline_file_keeps_its_headers():
    resp = attachment(b"%PDF", "站点.pdf", "application/pdf", inline=True, headers={"X-A": "1"})
    assert resp["Content-Disposition"] == (
        "inline; filename=\"download.pdf\"; filename*=UTF-8''%E7%AB%99%E7%82%B9.pdf"
    )
    assert resp["X-A"] == "1"


def test_a_quote_in_a_file_name_cannot_end_the_header_value():
    assert content_disposition('a"b.txt') == (
        "attachment; filename=\"ab.txt\"; filename*=UTF-8''a%22b.txt"
    )


@pytest.fixture
def admin_client(people):
    c = Client()
    c.force_login(people.admin)
    return c


def test_audit_log_next_page_keeps_the_filters(admin_client, people):
    for _ in range(51):
        audit_record(
            action=AuditAction.MEMBER_EXPORT, actor=people.carl, object_type="members.member"
        )
    audit_record(action=AuditAction.MEMBER_REVEAL, actor=people.carl, object_type="members.member")
    r = admin_client.get("/staff/audit/", {"action": "member.export"})
    assert r.context["page"].paginator.count == 51
    assert _links(r.content.decode()) == {"下一页": "?action=member.export&page=2"}
    r = admin_client.get("/staff/audit/", {"action": "member.export", "page": "2"})
    assert _links(r.content.decode()) == {"上一页": "?action=member.export&page=1"}
