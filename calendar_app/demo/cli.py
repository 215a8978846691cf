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
    """Load the demo: the merged Phú Thọ (25) of the 2025 reform among the country's official units; running
    it again changes nothing."""
    result = load_demo(echo=click.echo, reset_passwords=reset_passwords)
    if result.unplaced:
        click.echo(f"{len(result.unplaced)} institutions are still placed in units the reform closed (PLACE BY HAND "
                   "above): an admin moves each into a new commune from 2025-07-01.")
    if result.credentials:
        click.echo("")
        click.echo("Demo accounts (shown once; `flask --app wsgi demo --reset-passwords` prints new ones):")
        for email, password in result.credentials.items():
            click.echo(f"  {email:32} {password}")
    elif not result.changed:
        click.echo("Demo data already loaded; nothing changed.")
