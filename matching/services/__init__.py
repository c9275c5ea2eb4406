from .index import IndexBuildError, index_activate, index_build
from .matches import UploadRejected, match_create, match_process

__all__ = [
    "IndexBuildError",
    "UploadRejected",
    "index_activate",
    "index_build",
    "match_create",
    "match_process",
]
