"""`flask demo`: load the demo province."""
import click
from flask.cli import with_appcontext

from .. import unit_of_work
from .loader import load_demo


@click.command("demo")
@click.option("--reset-passwords", is_flag=True, help="Give the demo accounts new passwords and print them.")
@with_appcontext
@unit_of_work.command
def demo_command(reset_passwords):
    """Load the demo province (Phú Thọ); running it again changes nothing."""
    credentials = load_demo(echo=click.echo, reset_passwords=reset_passwords)
    if credentials:
        click.echo("")
        click.echo("Demo accounts (shown once; `flask --app wsgi demo --reset-passwords` prints new ones):")
        for email, password in credentials.items():
            click.echo(f"  {email:32} {password}")
    else:
        click.echo("Demo data already loaded; nothing changed.")
