"""Problem codes of comments on records: their text, @mentions, attachments and edits.

engine/codes.py merges them into MESSAGES; web/problems_comments.py words them in the
reader's language.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "comment_empty": "a comment needs some text",
    "comment_too_long": "a comment has at most {limit} characters",
    "mention_unknown": "@{name} is not an active user",
    "mention_cannot_read": "{name} cannot read this record",
    "not_comment_author": "only the author of a comment may edit it",
    "no_comment": "no comment {id} on this record",
    "no_comment_file": "comment {id} has no such file",
    "too_many_files": "a comment takes at most {limit} files",
}
