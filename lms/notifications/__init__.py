"""Notifications: recorded in-app for the person they concern, and e-mailed through the
outbox unless that person turned e-mail off for the kind."""
