"""Jobs on S3 (moto's server on 127.0.0.1) with the session's external Dask cluster: workers
write shards and the merged file to the bucket; the API streams or redirects to a signed URL."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import msgspec
import pyarrow.parquet as pq
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.settings import Settings, load_settings
from tests.daskcluster import DaskCluster
from tests.jobhelpers import make_project, wait_for, wait_for_shards
from tests.s3server import S3Bucket, s3_bucket, s3_server  # noqa: F401

Client = TestClient[Litestar]
PERSON = (Path(__file__).resolve().parent.parent / "bench" / "person.yaml").read_text()


@pytest.fixture
def settings(tmp_path: Path, dask_cluster: DaskCluster, s3_bucket: S3Bucket) -> Settings:  # noqa: F811
    return load_settings(
        {
            "DRAFTA_STORAGE_URL": f"{s3_bucket.url}/jobs",
            "DRAFTA_STORAGE_OPTIONS": msgspec.json.encode(s3_bucket.server.options).decode(),
        },
        home=str(tmp_path / "home"),
        scheduler_address=dask_cluster.address,
        shard_rows=65536,
        inprocess_rows=0,  # the workers write to the bucket, whatever the job's size
    )


def _start(client: Client, auth: dict[str, str], project: str, **body: object) -> str:
    r = client.post(f"/data/{project}", json=body, headers=auth)
    assert r.status_code == 202, r.json()
    job_id: str = r.json()["id"]
    return job_id


def _path(status: dict) -> str:
    url: str = status["data"][status["entity_name"]]
    return "/" + url.split("://", 1)[1].partition("/")[2]


def test_settings_read_storage_options_from_the_environment(
    settings: Settings,
    s3_bucket: S3Bucket,  # noqa: F811
) -> None:
    assert settings.storage == f"{s3_bucket.url}/jobs"
    assert settings.storage_options["endpoint_url"].startswith("http://127.0.0.1:")
    assert settings.storage_options["key"] == "testing"


def test_s3_job_lands_in_the_bucket_and_downloads_streamed_and_signed(
    client: Client,
    auth: dict[str, str],
    settings: Settings,
    s3_bucket: S3Bucket,  # noqa: F811
) -> None:
    project = make_project(client, auth, PERSON, name="people")
    job = _start(client, auth, project, entity_name="Person", count=200_000, format="csv")
    status = wait_for(client, auth, job, timeout=120)
    assert status["status"] == "completed", status
    assert status["progress"]["shards_total"] == 4
    workspace = client.get("/data", headers=auth).json()
    assert [j["id"] for j in workspace] == [job]
    keys = s3_bucket.objects()
    # The shards were merged and removed; only the merged file is left.
    assert len(keys) == 1
    assert keys[0].startswith(f"{s3_bucket.name}/jobs/")
    assert keys[0].endswith(f"/{job}/Person.csv")
    stored = s3_bucket.server.filesystem().cat_file(keys[0])
    assert len(stored) == status["size_bytes"]
    lines = stored.decode().splitlines()
    assert lines[0] == "id,first_name,last_name,email,age,signup,country,balance,is_active,tier"
    assert len(lines) == 200_001

    streamed = client.get(_path(status), headers=auth)
    assert streamed.status_code == 200
    assert streamed.headers["content-type"].startswith("text/csv")
    assert streamed.content == stored
    part = client.get(_path(status), headers={**auth, "Range": "bytes=100-1123"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-1123/{len(stored)}"
    assert part.content == stored[100:1124]

    signed_settings = msgspec.structs.replace(settings, signed_urls=True, signed_url_ttl=60)
    with TestClient(create_app(signed_settings)) as signed_client:
        r = signed_client.get(_path(status), headers=auth, follow_redirects=False)
        assert r.status_code == 307
        location = r.headers["location"]
        assert location.startswith(f"{s3_bucket.server.endpoint}/{s3_bucket.name}/jobs/")
        assert "Signature=" in location and "Expires=" in location
        fetched = httpx.get(location, timeout=30)
        assert fetched.status_code == 200
        assert fetched.content == stored
        expires = int(parse_qs(urlsplit(location).query)["Expires"][0])
        assert 0 < expires - time.time() <= 60 + 5


def test_worker_killed_during_an_s3_job_still_completes(
    client: Client,
    auth: dict[str, str],
    dask_cluster: DaskCluster,
    s3_bucket: S3Bucket,  # noqa: F811
) -> None:
    project = make_project(client, auth)
    job = _start(client, auth, project, entity_name="Order", count=2_000_000, format="parquet")
    try:
        status = wait_for_shards(client, job, 2, auth=auth)
        assert status["status"] == "processing", status
        # Workers write shards straight to the bucket (a temporary name, then the final one).
        shards = [k for k in s3_bucket.objects() if re.search(r"/shards/\d{6}\.parquet$", k)]
        assert shards, s3_bucket.objects()
        dask_cluster.replace_worker()
        status = wait_for(client, auth, job, timeout=180)
        assert status["status"] == "completed", status
        assert status["progress"]["rows_done"] == 2_000_000
        keys = s3_bucket.objects()
        assert [k.rpartition("/")[2] for k in keys] == ["Order.parquet"]
        with s3_bucket.server.filesystem().open(keys[0], "rb") as handle:
            meta = pq.ParquetFile(handle).metadata
        assert meta.num_rows == 2_000_000
        assert meta.num_columns == 3
    finally:
        dask_cluster.wait_for_workers(2)


def test_s3_job_removal_deletes_its_objects(
    client: Client,
    auth: dict[str, str],
    s3_bucket: S3Bucket,  # noqa: F811
) -> None:
    project = make_project(client, auth)
    job = _start(client, auth, project, entity_name="Customer", count=1000, format="json")
    assert wait_for(client, auth, job)["status"] == "completed"
    assert len(s3_bucket.objects()) == 1
    assert client.delete(f"/data/{job}", headers=auth).status_code == 204
    assert s3_bucket.objects() == []
