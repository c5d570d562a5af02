"""The schema language: model, reading with line numbers, validation, the resolved form and the
type catalogue."""

from pipeline.schema.catalogue import catalogue
from pipeline.schema.errors import SchemaError
from pipeline.schema.load import check_raw, load_schema, schema_problems
from pipeline.schema.model import Schema
from pipeline.schema.resolved import (
    ResolvedEntity,
    ResolvedField,
    ResolvedSchema,
    is_derivable,
    resolve,
)
from pipeline.schema.validate import used_providers

__all__ = [
    "ResolvedEntity",
    "ResolvedField",
    "ResolvedSchema",
    "Schema",
    "SchemaError",
    "catalogue",
    "check_raw",
    "is_derivable",
    "load_schema",
    "resolve",
    "schema_problems",
    "used_providers",
]
