import pytest

pytestmark = pytest.mark.django_db


def test_token_login_and_me(api_client, personas):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "handler", "password": "citymgmt-test-pw"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/v1/me/").json()
    assert me["username"] == "handler"
    assert me["role"] == "handler"
    assert me["department"]["code"] == "sanitation"


def test_wrong_password_is_a_400_naming_the_problem(api_client, personas):
    response = api_client.post("/api/v1/auth/token/", {"username": "handler", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_missing_field_is_named(api_client):
    response = api_client.post("/api/v1/auth/token/", {"username": "x"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_anonymous_is_refused(api_client):
    assert api_client.get("/api/v1/me/").status_code == 401


def test_an_unknown_token_or_an_inactive_user_is_refused(api_client, api_as, personas):
    from core.models import ApiToken

    client = api_as(personas["handler"])
    assert client.get("/api/v1/me/").json()["username"] == "handler"
    personas["handler"].is_active = False
    personas["handler"].save()
    assert client.get("/api/v1/me/").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert api_client.get("/api/v1/me/").status_code == 401
    assert ApiToken.objects.filter(user=personas["handler"]).count() == 1


def test_session_auth_works_for_the_console(client, personas):
    client.force_login(personas["dispatcher"])
    assert client.get("/api/v1/me/").json()["role"] == "dispatcher"


def test_departments_list(api_as, personas, department, other_department):
    rows = api_as(personas["collector"]).get("/api/v1/departments/").json()
    assert {row["code"] for row in rows} == {"sanitation", "lighting"}
    assert set(rows[0]) >= {"id", "code", "name", "parent"}


def test_departments_filter(api_as, personas, department, other_department):
    rows = api_as(personas["collector"]).get("/api/v1/departments/?q=路灯").json()
    assert [row["code"] for row in rows] == ["lighting"]


def test_openapi_schema_and_offline_swagger(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/v1/me/" in schema.json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "swagger-ui" in body and "cdn" not in body.lower()


def test_openapi_schema_validates_without_warnings():
    """Every endpoint documents itself: drf-spectacular raises on any warning."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_a_refused_page_is_the_consoles_own(client, personas):
    """A role without the page's permission gets the console's 403 page (in the user's language), not Django's."""
    client.force_login(personas["collector"])
    response = client.get("/evaluation/bulletins/")
    assert response.status_code == 403 and b'id="forbidden"' in response.content
