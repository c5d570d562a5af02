"""The root of every error Drafta raises on purpose, and the storage layer's own.

    DraftaError                      the one base (here: storage is imported by every layer)
    ├── StorageError                 storage/                                          503
    │   ├── NotFound                 a workspace's resource that does not exist      404
    │   ├── Conflict                 a write breaking a uniqueness or containment rule 409
    │   ├── FormatError              an output format the writers do not know         422
    │   └── MergeError               shards that do not add up to the job             503 *
    ├── PipelineError                pipeline/errors.py                                422
    │   ├── SchemaError              a schema that cannot be used, every problem listed 422
    │   ├── EngineError              a schema the engine cannot generate              422
    │   ├── PoolError                a mimesis method that gives no usable values      422
    │   ├── IllegalTransition        a job event its state does not take              409
    │   └── ExecutorError            the job's tasks could not run to the end         503
    │       ├── ClusterUnavailable   the scheduler cannot be reached
    │       ├── ClusterLost          the cluster went away while a job ran
    │       └── TaskFailed           a task failed after its retries
    └── ServiceError                 service/errors.py: errors the API answers as they are
        ├── BadRequest 400, Unauthorized 401, ResourceNotFound 404, ConflictError 409,
        ├── Invalid 422 (a value at fault, named in ``field``), TooMany 429,
        └── RangeNotSatisfiable 416, UnsafeUrl 422

    * raised on workers only, where it fails the job with its message; never an answer.

``service/errors.py`` maps each branch to problem+json in one place; a test checks that every
subclass falls under a mapped branch, so none can become a 500.
"""

from __future__ import annotations


class DraftaError(Exception):
    """Base of every error Drafta raises on purpose."""


class StorageError(DraftaError):
    """Base of every error the storage layer raises on purpose."""


class NotFound(StorageError):
    def __init__(self, kind: str, ref: str) -> None:
        self.kind = kind
        self.ref = ref
        super().__init__(f"{kind} {ref!r} not found")


class Conflict(StorageError):
    """A write that would break a uniqueness or containment rule."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)
