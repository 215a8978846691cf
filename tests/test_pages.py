def test_home_page_in_vietnamese_by_default_and_english_on_request(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="vi"' in page.text
    assert "Content-Security-Policy" in page.headers
    english = client.get("/?lang=en")
    assert 'lang="en"' in english.text
    assert 'lang="en"' in client.get("/").text  # the switch sticks


def test_login_says_the_same_for_unknown_user_and_wrong_password(client, db):
    from tests import factories as f

    f.user("a@example.org", "admin", password="right password here")
    db.session.commit()
    unknown = client.post("/login?lang=en", data={"email": "nobody@example.org", "password": "x"})
    wrong = client.post("/login?lang=en", data={"email": "a@example.org", "password": "x"})
    assert unknown.status_code == wrong.status_code == 400
    assert "The e-mail address or password is not correct." in unknown.text
    assert "The e-mail address or password is not correct." in wrong.text
    ok = client.post("/login", data={"email": "a@example.org", "password": "right password here"})
    assert ok.status_code == 302


def test_interface_is_translated_from_the_compiled_catalogs(client):
    """`make test` compiles translations/; the Vietnamese page must not fall back to the English source."""
    vietnamese = client.get("/?lang=vi").text
    english = client.get("/?lang=en").text
    assert "Staff sign in" in english
    assert "Staff sign in" not in vietnamese and "Đăng nhập" in vietnamese
