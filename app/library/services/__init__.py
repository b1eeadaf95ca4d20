"""Library services: the only code that changes documents, versions, collections, comments.

Public API for other features (project spaces, co-development, agenda) — a "shelf" is the
main library (owner_type None) or an owner's shelf such as ("project", 12), whose rule in
app/permissions.py OWNER_RULES decides who reads ("read"), submits ("write") and
moderates ("moderate"):

- `shelf(actor, owner_type, owner_id, query)`: a browsable, searchable page of a shelf;
- `check_submit(actor, owner_type, owner_id, files, data)`: members' submissions;
- `do_submit_generated(actor, filename, content, data, owner_type, owner_id)`: a file the
  platform produced (a co-development record, slides...), checked like any upload;
- `check_propose_to_main_library(actor, document)`: a shelf's moderator proposes one of its
  published documents to the main library's moderation queue;
- `pending(actor, owner_type, owner_id)`: the shelf's moderation queue.

Reads — `access` (who sees what), `queries` (search and facets), `reads` (listings),
`pages` (a document's page) — never write. Writes — `documents` (submissions, versions,
metadata), `moderation` (decisions), `curation` (collections), `discussion` (comments),
`indexing` (search index, text extraction) — hold the `check_*` that validate and the
`do_*` that change state, never committing. `validation` holds the rules they share.
Callers import everything from here.
"""

from ..files import check_library_file
from ..models import Collection, Document
from .access import (
    MAIN,
    CommentAccess,
    Shelf,
    access_collection,
    access_comment,
    access_document,
    access_shelf,
    access_version,
    download_version,
    shelf_of,
    visible_documents,
)
from .curation import (
    check_add_to_collection,
    check_create_collection,
    check_move_collection,
    check_move_in_collection,
    check_remove_from_collection,
    do_add_to_collection,
    do_create_collection,
    do_remove_from_collection,
    do_reorder,
)
from .discussion import check_comment, check_delete_comment, do_comment, do_delete_comment
from .documents import (
    check_edit,
    check_new_version,
    check_submit,
    do_edit,
    do_new_version,
    do_record_download,
    do_submit_file,
    do_submit_generated,
)
from .indexing import do_extract_later, do_extract_version, do_index, do_recount_facets
from .moderation import (
    check_approve,
    check_approve_version,
    check_propose_to_main_library,
    check_reject,
    check_reject_version,
    check_republish,
    check_request_changes,
    check_unpublish,
    do_approve,
    do_approve_version,
    do_propose_to_main_library,
    do_reject,
    do_reject_version,
    do_republish,
    do_request_changes,
    do_unpublish,
)
from .pages import DocumentPage, document_page, document_url
from .queries import (
    CANDIDATES_MAX,
    FACET_VOCABULARIES,
    PAGE_MAX,
    PAGE_SIZE,
    RELATED_MAX,
    SEARCH_TIERS,
    SORTS,
    FacetValue,
    LibraryPage,
    LibraryQuery,
    related,
    shelf,
)
from .reads import (
    QueueItem,
    collections,
    comments,
    document_collections,
    my_submissions,
    pending,
    pending_count,
    versions_for,
)
from .validation import (
    AUTHORS_MAX,
    COMMENT_MAX,
    FILES_MAX,
    KEYWORD_MAX,
    KEYWORDS_MAX,
    LANGUAGES,
    LICENCES,
    NOTE_MAX,
    STATE_LABELS,
    SUMMARY_MAX,
    TAG_VOCABULARIES,
    TITLE_MAX,
    CleanData,
    DocumentData,
    clean_data,
    max_bytes,
)

__all__ = [
    # the models and the file check other features name through the services
    "Collection", "Document", "check_library_file",
    # access
    "MAIN", "CommentAccess", "Shelf", "access_collection", "access_comment",
    "access_document", "access_shelf", "access_version", "download_version", "shelf_of",
    "visible_documents",
    # queries
    "CANDIDATES_MAX", "FACET_VOCABULARIES", "PAGE_MAX", "PAGE_SIZE", "RELATED_MAX",
    "SEARCH_TIERS", "SORTS", "FacetValue", "LibraryPage", "LibraryQuery", "related", "shelf",
    # reads
    "QueueItem", "collections", "comments", "document_collections", "my_submissions",
    "pending", "pending_count", "versions_for",
    # pages
    "DocumentPage", "document_page", "document_url",
    # validation
    "AUTHORS_MAX", "COMMENT_MAX", "FILES_MAX", "KEYWORD_MAX", "KEYWORDS_MAX", "LANGUAGES",
    "LICENCES", "NOTE_MAX", "STATE_LABELS", "SUMMARY_MAX", "TAG_VOCABULARIES", "TITLE_MAX",
    "CleanData", "DocumentData", "clean_data", "max_bytes",
    # documents
    "check_edit", "check_new_version", "check_submit", "do_edit", "do_new_version",
    "do_record_download", "do_submit_file", "do_submit_generated",
    # moderation
    "check_approve", "check_approve_version", "check_propose_to_main_library",
    "check_reject", "check_reject_version", "check_republish", "check_request_changes",
    "check_unpublish", "do_approve", "do_approve_version", "do_propose_to_main_library",
    "do_reject", "do_reject_version", "do_republish", "do_request_changes", "do_unpublish",
    # curation
    "check_add_to_collection", "check_create_collection", "check_move_collection",
    "check_move_in_collection", "check_remove_from_collection", "do_add_to_collection",
    "do_create_collection", "do_remove_from_collection", "do_reorder",
    # discussion
    "check_comment", "check_delete_comment", "do_comment", "do_delete_comment",
    # indexing
    "do_extract_later", "do_extract_version", "do_index", "do_recount_facets",
]
