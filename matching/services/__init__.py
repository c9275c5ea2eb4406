from .index import (
    BuildInProgress,
    IndexBuildError,
    NothingChanged,
    index_activate,
    index_build,
    index_build_run,
    index_rebuild_request,
    index_versions_prune_safely,
)
from .processing import match_process
from .recovery import Swept, matches_recover
from .retention import (
    Deleted,
    match_delete,
    match_set_visibility,
    matches_claim,
    matches_delete,
    matches_expire,
    stored_files_delete,
)
from .retry import match_retry
from .upload import UploadRejected, match_create

__all__ = [
    "BuildInProgress",
    "index_build_run",
    "index_rebuild_request",
    "index_versions_prune_safely",
    "Deleted",
    "IndexBuildError",
    "NothingChanged",
    "Swept",
    "UploadRejected",
    "index_activate",
    "index_build",
    "match_create",
    "match_delete",
    "match_process",
    "match_retry",
    "match_set_visibility",
    "matches_claim",
    "matches_delete",
    "matches_expire",
    "matches_recover",
    "stored_files_delete",
]
