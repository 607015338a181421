"""Tables made by revisions after 0009, dropped by tests that stamp an older database."""

# children before parents, so foreign keys never stand in the way of a drop
LATER_TABLES = (
    "import_jobs",
    "comment_revisions",
    "record_comments",
    "notification_preferences",
    "notification_channels",
    "notification_attempts",
    "notification_sends",
    "notifications",
)
