"""Reminders: shown in the app to the user they are for, and e-mailed when SMTP is configured."""
