"""The reviewer's assessment on the claim page: one field per item of the plan, shaped by its
type (an amount in yuan, days, a grade; a fixed sum asked for by anything typed), bad figures
refused beside their fields with nothing changed."""

import re

from waystation.privacy.models import AuditLog


def field_html(html: str, name: str) -> str:
    match = re.search(rf'<div id="assess-{name}">(.*?)</div>', html, re.S)
    assert match, name
    return match.group(1)


def test_the_page_has_one_field_per_item_labelled_with_what_to_type(claim, people, as_user):
    html = as_user(people.alice).get(f"/staff/aid/claims/{claim.number}/").content.decode()
    assert re.findall(r'<div id="assess-(ask_\w+)">', html) == [
        "ask_medical",
        "ask_hospital",
        "ask_disability",
        "ask_death",
    ]
    assert "意外医疗费（费用，元）" in field_html(html, "ask_medical")
    assert 'type="number"' in field_html(html, "ask_hospital")
    assert 'min="1" max="10"' in field_html(html, "ask_disability")
    assert "意外身故（填 1 表示给付）" in field_html(html, "ask_death")


def test_reviewer_assesses_the_figures_in_yuan_stored_in_fen(claim, people, as_user):
    r = as_user(people.alice).post(
        f"/staff/aid/claims/{claim.number}/assess/",
        {"ask_medical": "2,480.50", "ask_hospital": "5", "ask_disability": "", "ask_death": ""},
    )
    assert r.status_code == 302
    claim.refresh_from_db()
    assert claim.asks == {"medical": {"amount": 248050}, "hospital": {"days": 5}}
    log = AuditLog.objects.get(action="aid.claim_assess")
    assert log.detail["after"] == claim.asks


def test_a_fixed_sum_is_asked_for_by_anything_typed(claim, people, as_user):
    as_user(people.alice).post(f"/staff/aid/claims/{claim.number}/assess/", {"ask_death": "1"})
    claim.refresh_from_db()
    assert claim.asks == {"death": {}}


def test_bad_figures_are_refused_beside_their_fields_and_nothing_changes(claim, people, as_user):
    before = claim.asks
    r = as_user(people.alice).post(
        f"/staff/aid/claims/{claim.number}/assess/",
        {"ask_medical": "-1", "ask_hospital": "400", "ask_disability": "11"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "金额须为非负数，最多两位小数" in field_html(html, "ask_medical")
    assert "“住院津贴”的数值无效" in field_html(html, "ask_hospital")
    assert "“意外伤残”的数值无效" in field_html(html, "ask_disability")
    assert 'id="claim-errors"' not in html  # each message beside its field, none above
    assert 'value="400"' in field_html(html, "ask_hospital")  # what was typed is kept
    claim.refresh_from_db()
    assert claim.asks == before
    assert not AuditLog.objects.filter(action="aid.claim_assess").exists()
