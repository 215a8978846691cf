"""Registering for an activity: the public form, places and waitlists, the personal feed, check-in."""
