"""Station photos: uploaded by union staff over the station and its keepers, shown publicly."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from waystation.stations.models import StationPhoto
from waystation.stations.uploads import MAX_BYTES, image_path

from .test_reports import png_bytes

pytestmark = pytest.mark.django_db


def upload(client, code="TN001", data=None, name="front.png", caption="门口"):
    photo = SimpleUploadedFile(name, png_bytes() if data is None else data, "image/png")
    return client.post(f"/staff/stations/{code}/photos/", {"photo": photo, "caption": caption})


def test_union_staff_over_the_station_upload_a_photo_the_public_page_shows(
    as_user, client, people, make_station
):
    make_station("TN001")
    resp = upload(as_user(people.alice), name="../../secret.png")
    assert resp.status_code == 302
    photo = StationPhoto.objects.get()
    assert "secret" not in photo.stored_name
    stored = image_path(photo.stored_name).read_bytes()
    with Image.open(io.BytesIO(stored)) as img:  # re-encoded: a photo without transparency
        assert (img.format, img.size) == ("JPEG", (8, 8))

    page = client.get("/stations/TN001/").content.decode()
    url = f"/stations/TN001/photos/{photo.stored_name}"
    assert f'src="{url}"' in page
    assert 'alt="门口"' in page
    served = client.get(url)
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(served.streaming_content) == stored


def _phone_photo(size=(4000, 3000), orientation=6) -> bytes:
    """A phone's JPEG: large, taken on its side (EXIF orientation 6), with a GPS position."""
    img = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x8825] = {2: (31.0, 46.0, 48.0), 1: "N", 4: (119.0, 59.0, 24.0), 3: "E"}  # GPSInfo
    exif[0x0110] = "Phone Model X"  # Model
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif, quality=70)
    return buf.getvalue()


def test_a_phone_photo_is_stored_upright_at_most_1600_px_and_without_its_exif(
    as_user, people, make_station
):
    make_station("TN001")
    data = _phone_photo()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get(0x0110) == "Phone Model X"  # the test photo has it
    upload(as_user(people.alice), data=data, name="IMG_0001.jpg")
    photo = StationPhoto.objects.get()
    with Image.open(image_path(photo.stored_name)) as img:
        assert img.format == "JPEG"
        assert img.size == (1200, 1600)  # turned upright (it was 4000 × 3000 on its side)
        assert dict(img.getexif()) == {}
        assert "exif" not in img.info


def test_a_photo_with_transparency_stays_a_png(as_user, people, make_station):
    make_station("TN001")
    buf = io.BytesIO()
    Image.new("RGBA", (20, 10), (200, 16, 46, 128)).save(buf, format="PNG")
    upload(as_user(people.alice), data=buf.getvalue(), name="logo.png")
    photo = StationPhoto.objects.get()
    assert photo.content_type == "image/png"
    with Image.open(image_path(photo.stored_name)) as img:
        assert (img.format, img.mode, img.size) == ("PNG", "RGBA", (20, 10))


def test_a_keeper_uploads_photos_of_the_station_they_keep(as_user, keeper):
    assert upload(as_user(keeper), "TN001").status_code == 302
    assert StationPhoto.objects.filter(station__code="TN001").count() == 1


def test_a_keeper_cannot_upload_to_a_station_they_do_not_keep(as_user, keeper):
    assert upload(as_user(keeper), "TN002").status_code == 404
    assert not StationPhoto.objects.exists()


def test_staff_of_another_district_cannot_upload(as_user, people, make_station):
    make_station("TN001")
    assert upload(as_user(people.charlie)).status_code == 404
    assert not StationPhoto.objects.exists()


def test_a_signed_in_outsider_cannot_upload(as_user, people, make_station):
    make_station("TN001")
    assert upload(as_user(people.olga)).status_code == 404
    assert not StationPhoto.objects.exists()


def test_a_renamed_non_image_is_refused_with_a_message(as_user, people, make_station):
    make_station("TN001")
    alice = as_user(people.alice)
    resp = upload(alice, data=b"%PDF-1.4 not a png", name="front.png")
    assert resp.status_code == 302
    assert not StationPhoto.objects.exists()
    page = alice.get(resp.url).content.decode()
    assert "只能上传图片" in page


def test_a_photo_over_5_mb_is_refused(as_user, people, make_station):
    make_station("TN001")
    upload(as_user(people.alice), data=png_bytes() + b"\0" * MAX_BYTES)
    assert not StationPhoto.objects.exists()


def test_deleting_a_photo_removes_its_file_and_its_public_address(
    as_user, client, people, make_station, django_capture_on_commit_callbacks
):
    make_station("TN001")
    alice = as_user(people.alice)
    upload(alice)
    photo = StationPhoto.objects.get()
    path = image_path(photo.stored_name)
    with django_capture_on_commit_callbacks(execute=True):
        resp = alice.post(f"/staff/stations/TN001/photos/{photo.pk}/delete/")
    assert resp.status_code == 302
    assert not StationPhoto.objects.exists()
    assert not path.exists()
    assert client.get(f"/stations/TN001/photos/{photo.stored_name}").status_code == 404


def test_a_keeper_cannot_delete_a_photo_of_another_station(as_user, people, keeper):
    upload(as_user(people.alice), "TN002")
    photo = StationPhoto.objects.get()
    resp = as_user(keeper).post(f"/staff/stations/TN002/photos/{photo.pk}/delete/")
    assert resp.status_code == 404
    assert StationPhoto.objects.exists()


def test_photos_are_not_served_for_a_station_the_public_cannot_see(
    as_user, client, people, make_station
):
    station = make_station("TN001")
    upload(as_user(people.alice))
    photo = StationPhoto.objects.get()
    station.status = "building"
    station.save(update_fields=["status"])
    assert client.get(f"/stations/TN001/photos/{photo.stored_name}").status_code == 404


def test_a_station_holds_at_most_twelve_photos(as_user, people, make_station):
    make_station("TN001")
    alice = as_user(people.alice)
    for _ in range(13):
        upload(alice)
    assert StationPhoto.objects.count() == 12


def test_the_upload_address_refuses_get(as_user, people, make_station):
    make_station("TN001")
    assert as_user(people.alice).get("/staff/stations/TN001/photos/").status_code == 405


def test_a_decompression_bomb_photo_is_refused_with_a_message(
    as_user, people, make_station, settings
):
    from waystation.core.tests.files import bomb_png

    make_station("TN001")
    alice = as_user(people.alice)
    resp = upload(alice, data=bomb_png())
    assert resp.status_code == 302
    assert not StationPhoto.objects.exists()
    assert not (settings.PRIVATE_MEDIA_ROOT / "stations").exists()
    page = alice.get(resp.url).content.decode()
    assert "图片尺寸过大：最多 5,000 万像素，请缩小后再上传" in page
