"""One exception tree, mapped to problem+json in one place: no domain error becomes a 500."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import pipeline
import service
import storage
from pipeline.engine.errors import EngineError
from pipeline.executor import ClusterLost
from pipeline.lifecycle import CancelRequested, IllegalTransition, JobState, JobStatus
from pipeline.schema.errors import SchemaError
from service.errors import DOMAIN, ServiceError, TooMany, as_service_error
from storage.errors import Conflict, DraftaError, NotFound
from storage.formats import FormatError


def _subclasses(kind: type[DraftaError]) -> list[type[DraftaError]]:
    found = []
    for sub in kind.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_domain_error_falls_under_a_mapped_branch() -> None:
    for package in (storage, pipeline, service):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(info.name)
    kinds = _subclasses(DraftaError)
    assert len(kinds) >= 20  # the whole tree was imported, not just this file's imports
    unmapped = [k.__name__ for k in kinds if not any(b in DOMAIN for b in k.__mro__)]
    assert unmapped == []


FINISHED = JobState(status=JobStatus.COMPLETED)


@pytest.mark.parametrize(
    ("error", "status", "slug", "detail"),
    [
        (NotFound("job", "j1"), 404, "not-found", "job 'j1' not found"),
        (Conflict("name taken", field="name"), 409, "conflict", "name taken"),
        (
            SchemaError([{"path": "entities.A", "line": 3, "message": "bad"}]),
            422,
            "invalid",
            "the schema is not valid: entities.A (line 3): bad",
        ),
        (EngineError("unknown entity B"), 422, "invalid", "unknown entity B"),
        (FormatError("unknown format 'xml'"), 422, "invalid", "unknown format 'xml'"),
        (
            IllegalTransition(FINISHED, CancelRequested()),
            409,
            "conflict",
            "a completed job cannot take CancelRequested",
        ),
        (ClusterLost("gone", "tcp://h:1"), 503, "unavailable", "gone"),
        (TooMany("slow down"), 429, "too-many-requests", "slow down"),
    ],
)
def test_each_branch_answers_with_its_status_and_message(
    error: DraftaError, status: int, slug: str, detail: str
) -> None:
    answer = as_service_error(error)
    assert isinstance(answer, ServiceError)
    assert (answer.status, answer.slug, answer.detail) == (status, slug, detail)
