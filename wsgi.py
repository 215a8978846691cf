"""Entry point for gunicorn (`gunicorn wsgi:app`) and the flask command (`flask --app wsgi …`)."""
import gc

from calendar_app import create_app

app = create_app()
# What the app built at start (models, compiled templates, SQLAlchemy's caches: some 200,000 objects) lives as long
# as the process: kept out of the cyclic collector, whose full passes would otherwise walk all of it again every
# few requests (several milliseconds each on a page that loads a few hundred rows).
gc.collect()
gc.freeze()
