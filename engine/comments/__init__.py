"""Comments on records: plain text with @mentions and files, kept with every earlier text.

`service` writes and reads them (the record's read check first, NotFound to anyone else)
and raises the `mention` and `comment` notifications; `mentions` finds and checks the
@names; `files` stores a comment's files through the attachment checks.
"""

from __future__ import annotations

from engine.comments.files import FIELD, MAX_FILES, checked_files, store_comment_file
from engine.comments.mentions import mention_candidates, mentioned_tokens, resolve_mentions
from engine.comments.service import (
    MAX_BODY,
    CommentView,
    RevisionView,
    add_comment,
    comment_of,
    comments_of,
    edit_comment,
    revisions_of,
)

__all__ = [
    "FIELD",
    "MAX_BODY",
    "MAX_FILES",
    "CommentView",
    "RevisionView",
    "add_comment",
    "checked_files",
    "comment_of",
    "comments_of",
    "edit_comment",
    "mention_candidates",
    "mentioned_tokens",
    "resolve_mentions",
    "revisions_of",
    "store_comment_file",
]
