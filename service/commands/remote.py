"""``drafta remote ...``: a running service, through the Python client.

The service is named by DRAFTA_URL (default http://127.0.0.1:8000) and the key by
DRAFTA_API_KEY; both are client-side and can be given as --url and --api-key instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

from service.commands.generate import DATA_FORMATS, DIALECTS
from service.commands.validate import read_text

if TYPE_CHECKING:
    from service.client import DraftaClient
    from service.dto import JobStatusBody

DEFAULT_URL = "http://127.0.0.1:8000"
SCHEMA_FORMATS = ("yaml", "json_schema", "json_parquet", "sql")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "remote",
        help="talk to a running service (DRAFTA_URL, DRAFTA_API_KEY)",
        description="Manage groups and projects and run jobs on a running Drafta service. "
        "DRAFTA_URL names the service (default http://127.0.0.1:8000), DRAFTA_API_KEY the key.",
    )
    parser.add_argument("--url", help="the service's base URL (default: $DRAFTA_URL)")
    parser.add_argument("--api-key", help="an API key (default: $DRAFTA_API_KEY)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    groups = actions.add_parser("groups", help="project groups").add_subparsers(
        dest="what", required=True, metavar="ACTION"
    )
    gcreate = groups.add_parser("create", help="create a project group")
    gcreate.add_argument("name")
    gcreate.set_defaults(handler=_run(_groups_create))
    groups.add_parser("list", help="list project groups").set_defaults(handler=_run(_groups_list))

    projects = actions.add_parser("projects", help="projects").add_subparsers(
        dest="what", required=True, metavar="ACTION"
    )
    pcreate = projects.add_parser("create", help="create a project in a group")
    pcreate.add_argument("name")
    pcreate.add_argument("--group", required=True, help="the group's id or name")
    pcreate.add_argument("--schema", metavar="FILE", help="its schema (optional)")
    pcreate.add_argument("--format", default="yaml", choices=SCHEMA_FORMATS)
    pcreate.set_defaults(handler=_run(_projects_create))
    plist = projects.add_parser("list", help="list projects (of one group, or of all)")
    plist.add_argument("--group", help="the group's id or name")
    plist.set_defaults(handler=_run(_projects_list))
    pget = projects.add_parser("get", help="show a project (by id, or --group and --project)")
    pget.add_argument("project_id", nargs="?", help="the project's id")
    pget.add_argument("--group", help="the group's id or name")
    pget.add_argument("--project", help="the project's name")
    pget.add_argument("--schema-only", action="store_true", help="print only the schema YAML")
    pget.set_defaults(handler=_run(_projects_get))

    push = actions.add_parser("push", help="create or update a project from a schema file")
    push.add_argument("schema", metavar="SCHEMA_FILE")
    push.add_argument("--group", required=True, help="the group's name (made if missing)")
    push.add_argument("--project", required=True, help="the project's name")
    push.add_argument("--format", default="yaml", choices=SCHEMA_FORMATS)
    push.set_defaults(handler=_run(_push))

    run = actions.add_parser("run", help="start a job (and wait for it, download it)")
    run.add_argument("--project-id", required=True)
    run.add_argument(
        "--entity",
        action="append",
        help="the entity (with --count); repeat it for a job of several entities",
    )
    run.add_argument("--all", action="store_true", help="every entity of the schema")
    run.add_argument("--count", type=int, help="rows, for a job of one entity")
    run.add_argument("--scale", type=float, help="times each schema count (several entities)")
    run.add_argument("--format", default="json", choices=DATA_FORMATS)
    run.add_argument(
        "--dialect", choices=DIALECTS, help="the sql format's SQL dialect (default postgres)"
    )
    run.add_argument("--seed", type=int)
    run.add_argument("--wait", action="store_true", help="wait until the job ends")
    run.add_argument(
        "--out",
        metavar="PATH",
        help="download the file here, or each entity's into this folder (implies --wait)",
    )
    run.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait at most")
    run.set_defaults(handler=_run(_job_run))

    status = actions.add_parser("status", help="a job's status")
    status.add_argument("job_id", metavar="JOB")
    status.set_defaults(handler=_run(_job_status))

    download = actions.add_parser("download", help="download a completed job's file")
    download.add_argument("job_id", metavar="JOB")
    download.add_argument("--out", required=True, metavar="FILE", help="a path or fsspec URL")
    download.add_argument("--entity", help="which entity's file, for a job of several")
    download.set_defaults(handler=_run(_job_download))


Action = Callable[["DraftaClient", argparse.Namespace], int]


def _run(action: Action) -> Callable[[argparse.Namespace], int]:
    """Open a client from the options or environment, run the action, report API errors."""

    def handler(args: argparse.Namespace) -> int:
        import httpx

        from service.client import DraftaClient, DraftaError

        url = args.url or os.environ.get("DRAFTA_URL") or DEFAULT_URL
        key = args.api_key or os.environ.get("DRAFTA_API_KEY")
        if not key:
            print("drafta: set DRAFTA_API_KEY (or pass --api-key)", file=sys.stderr)
            return 2
        try:
            with DraftaClient(url, key) as client:
                return action(client, args)
        except DraftaError as exc:
            print(f"drafta: {exc}", file=sys.stderr)
            for problem in exc.errors:
                where = problem.get("path") or ""
                line = f" (line {problem['line']})" if problem.get("line") else ""
                print(f"  {where}{line}: {problem.get('message', '')}", file=sys.stderr)
            return 1
        except TimeoutError as exc:
            print(f"drafta: {exc}", file=sys.stderr)
            return 1
        except (OSError, httpx.TransportError) as exc:
            print(f"drafta: cannot reach {url}: {exc}", file=sys.stderr)
            return 1

    return handler


def _show(value: Any) -> None:
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(value)).decode() + "\n")


def _groups_create(client: DraftaClient, args: argparse.Namespace) -> int:
    _show(client.create_group(args.name))
    return 0


def _groups_list(client: DraftaClient, args: argparse.Namespace) -> int:
    for group in client.list_groups(limit=500):
        print(f"{group.id}  {group.name}")
    return 0


def _projects_create(client: DraftaClient, args: argparse.Namespace) -> int:
    data = read_text(args.schema) if args.schema else None
    group = client.get_group(args.group)
    _show(client.create_project(group.id, args.name, data, format=args.format))
    return 0


def _projects_list(client: DraftaClient, args: argparse.Namespace) -> int:
    refs = [args.group] if args.group else [g.id for g in client.list_groups(limit=500)]
    for ref in refs:
        group = client.get_group(ref)
        for project in group.projects:
            print(f"{project.id}  {group.name}/{project.name}")
    return 0


def _projects_get(client: DraftaClient, args: argparse.Namespace) -> int:
    if args.project_id and not (args.group or args.project):
        project = client.get_project(args.project_id)
    elif args.group and args.project and not args.project_id:
        project = client.get_project(group=args.group, name=args.project)
    else:
        print("drafta: give a project id, or --group and --project", file=sys.stderr)
        return 2
    if args.schema_only:
        sys.stdout.write(project.data or "")
    else:
        _show(project)
    return 0


def _push(client: DraftaClient, args: argparse.Namespace) -> int:
    from service.client import DraftaError

    data = read_text(args.schema)
    try:
        project = client.get_project(group=args.group, name=args.project)
    except DraftaError as exc:
        if exc.status != 404:
            raise
        try:
            group_id = client.get_group(args.group).id
        except DraftaError as missing:
            if missing.status != 404:
                raise
            group_id = client.create_group(args.group).id
        created = client.create_project(group_id, args.project, data, format=args.format)
        print(f"created {args.group}/{args.project} {created.id}")
        return 0
    client.update_project(project.id, data=data, format=args.format)
    print(f"updated {args.group}/{args.project} {project.id}")
    return 0


def _job_run(client: DraftaClient, args: argparse.Namespace) -> int:
    from pipeline.lifecycle import JobStatus

    several = args.all or len(args.entity or []) > 1
    if several:
        entities = "*" if args.all else args.entity
        job = client.submit(
            args.project_id,
            entities=entities,
            scale=args.scale,
            format=args.format,
            dialect=args.dialect,
            seed=args.seed,
        )
    else:
        entity = args.entity[0] if args.entity else None
        job = client.submit(
            args.project_id,
            entity,
            args.count,
            format=args.format,
            dialect=args.dialect,
            seed=args.seed,
        )
    print(f"job {job.id} {job.status}", flush=True)
    if not (args.wait or args.out):
        return 0
    final = _wait(client, job.id, args.timeout)
    print(f"job {final.id} {final.status} seed {final.seed}", flush=True)
    if final.status != JobStatus.COMPLETED:
        print(f"drafta: {final.error}", file=sys.stderr)
        return 1
    if args.out and several:
        for entity in final.entities:
            dest = f"{args.out.rstrip('/')}/{entity}.{final.format}"
            size = client.download(job.id, dest, entity=entity)
            print(f"downloaded {size} bytes to {dest}")
    elif args.out:
        size = client.download(job.id, args.out)
        print(f"downloaded {size} bytes to {args.out}")
    return 0


def _wait(client: DraftaClient, job_id: str, timeout: float) -> JobStatusBody:
    from rich.progress import Progress

    with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task(f"job {job_id}", total=None)

        def show(job: JobStatusBody) -> None:
            bar.update(task, total=job.progress.rows_total, completed=job.progress.rows_done)

        return client.wait(job_id, timeout, on_progress=show, raise_on_failure=False)


def _job_status(client: DraftaClient, args: argparse.Namespace) -> int:
    from pipeline.lifecycle import JobStatus

    job = client.status(args.job_id)
    _show(job)
    return 1 if job.status == JobStatus.FAILED else 0


def _job_download(client: DraftaClient, args: argparse.Namespace) -> int:
    size = client.download(args.job_id, args.out, entity=args.entity)
    print(f"downloaded {size} bytes to {args.out}")
    return 0
