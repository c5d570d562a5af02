"""Use cases of project groups."""

from __future__ import annotations

import msgspec

from service.dto import Group, GroupDetail, ProjectSummary
from storage import groups
from storage.db import Database


def list_groups(db: Database, ws: str, limit: int, offset: int) -> list[Group]:
    rows = groups.list_groups(db, ws, limit=limit, offset=offset)
    return [Group(id=r.id, name=r.name, created_at=r.created_at) for r in rows]


def create_group(db: Database, ws: str, name: str) -> Group:
    row = groups.create_group(db, ws, name)
    return Group(id=row.id, name=row.name, created_at=row.created_at)


def get_group(db: Database, ws: str, ref: str) -> GroupDetail:
    """A group, by id or name, with its projects."""
    return _detail(db, ws, groups.get_group(db, ws, ref))


def list_groups_with_projects(db: Database, ws: str, limit: int, offset: int) -> list[GroupDetail]:
    """A page of the workspace's groups, each with its projects."""
    return [_detail(db, ws, g) for g in groups.list_groups(db, ws, limit=limit, offset=offset)]


def _detail(db: Database, ws: str, group: groups.GroupRow) -> GroupDetail:
    members = groups.group_projects(db, ws, group.id)
    return GroupDetail(
        id=group.id,
        name=group.name,
        created_at=group.created_at,
        updated_at=group.updated_at,
        projects=msgspec.convert(members, list[ProjectSummary], from_attributes=True),
    )


def delete_group(db: Database, ws: str, ref: str) -> None:
    groups.delete_group(db, ws, ref)
