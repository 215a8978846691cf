"""`flask users create` and `flask users token`."""
import click
from flask.cli import AppGroup

from .. import unit_of_work
from .operations import AccountError, create_user, find_user, issue_token

users_cli = AppGroup("users", help="Manage user accounts and API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "officer", "editor"]), required=True)
@click.option("--institution", "institution_slug", help="Institution slug (editors).")
@click.option("--area", "area_code", help="Area code (officers).")
@click.option("--password", help="Prompted for when not given.")
@click.option("--name", default="", help="Display name.")
@unit_of_work.command
def create_command(email, role, institution_slug, area_code, password, name):
    """Create a user with a role and its scope."""
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, role, password, name=name,
                           institution_slug=institution_slug, area_code=area_code)
    except AccountError as error:
        for field, reason in error.fields.items():
            click.echo(f"{field}: {reason}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Created {user.role} {user.email}")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A label to tell tokens apart.")
@unit_of_work.command
def token_command(email, name):
    """Print a new API token for the user (last line of output)."""
    user = find_user(email)
    if user is None:
        click.echo(f"No user with e-mail {email}", err=True)
        raise SystemExit(1)
    secret = issue_token(user, name)
    click.echo("The token is shown once; keep it safe:", err=True)
    click.echo(secret)
