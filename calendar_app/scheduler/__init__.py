"""Scheduled jobs: reminders, e-mail, the purge of personal data; claimed so each runs once per period."""
