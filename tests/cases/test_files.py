"""Case photos are served only through core.files, to whoever may see the case, with DEBUG off as in production."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production(settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILES_X_ACCEL_REDIRECT_PREFIX = ""


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 80, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def photo(report, department):
    from cases.models import Case, CasePhoto

    case = report()
    Case.objects.filter(pk=case.pk).update(department=department)
    content = _jpeg()
    photo = CasePhoto(case=case, content_type="image/jpeg", size=len(content), sha256="0" * 64)
    photo.image.save("before.jpg", ContentFile(content), save=True)
    return photo


def _login(client, user):
    client.force_login(user)
    return client


def test_the_url_points_at_the_checking_view(photo):
    assert photo.image.url.startswith("/files/cases/")


def test_the_department_of_the_case_sees_the_photo(client, cast, photo):
    response = _login(client, cast["handler"]).get(photo.image.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == photo.image.open("rb").read()
    assert "private" in response["Cache-Control"]


def test_another_department_gets_404_as_for_the_case(client, cast, photo):
    client = _login(client, cast["other_handler"])
    assert client.get(f"/cases/{photo.case_id}/").status_code == 404
    assert client.get(photo.image.url).status_code == 404


def test_a_user_who_sees_no_case_gets_404(client, cast, photo):
    assert _login(client, cast["finance"]).get(photo.image.url).status_code == 404


def test_anonymous_api_client_gets_401(client, photo):
    response = client.get(photo.image.url, HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_anonymous_browser_is_sent_to_the_login_page(client, photo):
    response = client.get(photo.image.url, HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/files/cases/")


def test_the_handheld_app_fetches_the_photo_with_its_token(api_as, cast, photo):
    client = api_as(cast["collector"])
    detail = client.get(f"/api/v1/cases/{photo.case_id}/")
    assert detail.status_code == 200
    url = detail.json()["photos"][0]["url"]
    assert "/files/cases/" in url
    assert client.get(url).status_code == 200


def test_a_bad_token_is_401(api_client, photo):
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "f" * 40)
    assert api_client.get(photo.image.url).status_code == 401


def test_the_old_public_media_path_is_gone(client, cast, photo):
    client = _login(client, cast["admin"])
    assert client.get(f"/files/{photo.image.name}").status_code == 200
    assert client.get(f"/media/{photo.image.name}").status_code == 404


@pytest.mark.parametrize(
    "name",
    ["cases/../../etc/passwd", "cases/2026/nothing.jpg", "exports/secret.xlsx", "cases/%00.jpg"],
)
def test_names_no_record_holds_are_404(client, cast, photo, name):
    assert _login(client, cast["admin"]).get(f"/files/{name}").status_code == 404


def test_behind_nginx_the_view_answers_with_x_accel_redirect(client, cast, photo, settings):
    settings.FILES_X_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    response = _login(client, cast["handler"]).get(photo.image.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.image.name}"
    assert response.content == b""
    assert _login(client, cast["other_handler"]).get(photo.image.url).status_code == 404
