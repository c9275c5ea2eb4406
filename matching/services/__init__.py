from .index import (
    BuildInProgress,
    IndexBuildError,
    index_activate,
    index_build,
    index_build_run,
    index_rebuild_request,
)
from .matches import UploadRejected, match_create, match_process
from .retention import (
    Deleted,
    match_delete,
    match_set_visibility,
    matches_claim,
    matches_delete,
    matches_expire,
    stored_files_delete,
)

__all__ = [
    "BuildInProgress",
    "index_build_run",
    "index_rebuild_request",
    "Deleted",
    "IndexBuildError",
    "UploadRejected",
    "index_activate",
    "index_build",
    "match_create",
    "match_delete",
    "match_process",
    "match_set_visibility",
    "matches_claim",
    "matches_delete",
    "matches_expire",
    "stored_files_delete",
]
