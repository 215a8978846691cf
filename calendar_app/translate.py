"""`flask translate fill-english`: the English catalog repeats the English source strings."""
from pathlib import Path

import click
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

translate_cli = AppGroup("translate", help="Translation catalog helpers.")


@translate_cli.command("fill-english")
def fill_english():
    """Copy each msgid into an empty msgstr of translations/en."""
    path = Path(__file__).resolve().parent.parent / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not any(message.string):
                message.string = (message.id[0], message.id[1])
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True, omit_header=False)
    click.echo(f"en: {filled} strings filled")
