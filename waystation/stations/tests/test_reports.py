import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from waystation.stations import services
from waystation.stations.models import FaultReport
from waystation.stations.uploads import MAX_BYTES, image_path


def png_bytes(size=(8, 8)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 16, 46)).save(buf, format="PNG")
    return buf.getvalue()


def test_report_with_a_photo_is_stored_under_a_server_generated_name(make_station):
    photo = SimpleUploadedFile("../../etc/passwd.png", png_bytes(), content_type="image/png")
    report = services.report_create(
        station=make_station(), category="water", text="没有热水", photo=photo
    )
    assert report.status == FaultReport.Status.OPEN
    assert report.photo_name.endswith(".png")
    assert "passwd" not in report.photo_name
    assert image_path(report.photo_name).read_bytes() == png_bytes()


def test_a_text_file_is_refused(make_station):
    upload = SimpleUploadedFile("note.txt", b"hello", content_type="text/plain")
    with pytest.raises(ValidationError) as err:
        services.report_create(station=make_station(), category="water", photo=upload)
    assert "photo" in err.value.message_dict


def test_a_renamed_non_image_is_refused_by_its_content(make_station):
    upload = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a jpeg", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.report_create(station=make_station(), category="water", photo=upload)
    assert FaultReport.objects.count() == 0


def test_a_photo_over_5_mb_is_refused(make_station):
    big = png_bytes() + b"\0" * MAX_BYTES
    upload = SimpleUploadedFile("big.png", big, content_type="image/png")
    with pytest.raises(ValidationError) as err:
        services.report_create(station=make_station(), category="water", photo=upload)
    assert "5 MB" in err.value.message_dict["photo"][0]


def test_unknown_category_is_refused(make_station):
    with pytest.raises(ValidationError):
        services.report_create(station=make_station(), category="ufo")


def test_report_goes_open_acknowledged_resolved(make_station, people):
    report = services.report_create(station=make_station(), category="climate")
    report = services.report_transition(report=report, to="acknowledged", actor=people.alice)
    report = services.report_transition(report=report, to="resolved", actor=people.alice)
    assert report.resolved_at is not None
    assert report.time_to_resolve is not None


def test_a_resolved_report_cannot_go_back(make_station, people):
    report = services.report_create(station=make_station(), category="climate")
    report = services.report_transition(report=report, to="resolved", actor=people.alice)
    with pytest.raises(ValidationError):
        services.report_transition(report=report, to="acknowledged", actor=people.alice)


def test_report_form_accepts_a_photo_from_the_station_page(client, make_station):
    make_station()
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    resp = client.post(
        "/stations/TN001/report/",
        {"category": "water", "text": "坏了", "photo": photo},
        follow=True,
    )
    assert "感谢反馈" in resp.content.decode()
    assert FaultReport.objects.get().photo_type == "image/png"


def test_report_form_shows_the_error_for_a_non_image(client, make_station):
    make_station()
    upload = SimpleUploadedFile("p.png", b"GIF89a-but-not-really", content_type="image/png")
    resp = client.post("/stations/TN001/report/", {"category": "water", "photo": upload})
    assert "只能上传图片" in resp.content.decode()


def test_api_report_with_a_renamed_non_image_answers_400(client, make_station):
    make_station()
    upload = SimpleUploadedFile("p.jpg", b"not an image", content_type="image/jpeg")
    resp = client.post("/api/v1/stations/TN001/reports", {"category": "water", "photo": upload})
    assert resp.status_code == 400
    assert "photo" in resp.json()["errors"]


def test_api_report_without_photo_is_created(client, make_station):
    make_station()
    resp = client.post("/api/v1/stations/TN001/reports", {"category": "hygiene", "text": "脏"})
    assert resp.status_code == 201
    assert resp.json()["photo"] is False


def test_report_photo_is_served_to_staff_in_scope_only(as_user, people, make_station):
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    report = services.report_create(station=make_station(), category="water", photo=photo)
    url = f"/staff/stations/reports/{report.pk}/photo"
    resp = as_user(people.alice).get(url)
    assert resp.status_code == 200
    assert resp["Content-Type"] == "image/png"
    assert as_user(people.charlie).get(url).status_code == 404
    assert as_user(people.olga).get(url).status_code == 404


def test_api_report_with_a_decompression_bomb_photo_answers_400_and_stores_nothing(
    client, make_station, settings
):
    """48 KB that declare 20,000 × 20,000 pixels: refused by the size it declares, never
    decoded."""
    from waystation.core.tests.files import bomb_png

    make_station()
    upload = SimpleUploadedFile("p.png", bomb_png(), content_type="image/png")
    resp = client.post("/api/v1/stations/TN001/reports", {"category": "water", "photo": upload})
    assert resp.status_code == 400
    assert resp.json()["errors"]["photo"] == ["图片尺寸过大：最多 5,000 万像素，请缩小后再上传"]
    assert not FaultReport.objects.exists()
    assert not (settings.PRIVATE_MEDIA_ROOT / "stations").exists()


def test_the_pixel_limit_is_a_setting_and_holds_below_pillows_own(client, make_station, settings):
    from waystation.core.tests.files import bomb_png

    make_station()
    settings.UPLOAD_MAX_PIXELS = 1_000_000
    upload = SimpleUploadedFile("p.png", bomb_png(1001, 1000), content_type="image/png")
    resp = client.post("/api/v1/stations/TN001/reports", {"category": "water", "photo": upload})
    assert resp.status_code == 400
    assert resp.json()["errors"]["photo"] == ["图片尺寸过大：最多 100 万像素，请缩小后再上传"]
    upload = SimpleUploadedFile("p.png", bomb_png(1000, 1000), content_type="image/png")
    resp = client.post("/api/v1/stations/TN001/reports", {"category": "water", "photo": upload})
    assert resp.status_code == 201
