from sqlalchemy import select

from calendar_app.accounts.operations import user_for_token
from calendar_app.models import ApiToken, User
from tests import factories as f


def test_users_create_and_token(runner, db):
    province = f.area("25", "P", "province")
    f.institution("thu-vien", province)
    db.session.commit()
    result = runner.invoke(args=["users", "create", "ed@example.org", "--role", "editor",
                                 "--institution", "thu-vien", "--password", "a long password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ed@example.org"))
    assert user.institution.slug == "thu-vien" and user.check_password("a long password")

    result = runner.invoke(args=["users", "token", "ed@example.org"])
    assert result.exit_code == 0
    secret = result.output.strip().splitlines()[-1]
    assert user_for_token(secret).email == "ed@example.org"
    stored = db.session.scalar(select(ApiToken))
    assert secret not in (stored.token_hash, stored.hint) and stored.token_hash == ApiToken.hash(secret)


def test_users_create_refuses_bad_input_and_writes_nothing(runner, db):
    result = runner.invoke(args=["users", "create", "not-an-email", "--role", "editor",
                                 "--institution", "nowhere", "--password", "short"])
    assert result.exit_code == 1
    assert "email" in result.output and "institution" in result.output and "password" in result.output
    assert db.session.scalars(select(User)).all() == []


def test_users_create_prompts_for_password(runner, db):
    result = runner.invoke(args=["users", "create", "admin@example.org", "--role", "admin"],
                           input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User)).check_password("a long password")


def test_revoked_token_is_refused(db):
    from calendar_app.accounts.operations import issue_token
    from calendar_app.clock import utcnow

    admin = f.user("a@example.org", "admin")
    secret = issue_token(admin)
    assert user_for_token(secret) is admin
    db.session.scalar(select(ApiToken)).revoked_at = utcnow()
    assert user_for_token(secret) is None
    assert user_for_token("lcal_wrong") is None


def test_demo_command_twice(runner, db):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@demo.example" in first.output and "editor.hycuong@demo.example" in first.output
    assert "demo loaded in" in first.output and "PLACE BY HAND" in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert "nothing changed" in second.output and "@demo.example" not in second.output
    assert "PLACE BY HAND" in second.output  # still waiting for an admin
