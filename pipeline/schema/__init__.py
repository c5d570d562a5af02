"""The schema language: model, reading with line numbers, validation and the type catalogue."""

from pipeline.schema.catalogue import catalogue
from pipeline.schema.errors import SchemaError
from pipeline.schema.load import check_raw, load_schema, schema_problems
from pipeline.schema.model import Schema
from pipeline.schema.validate import default_key, is_derivable, used_providers

__all__ = [
    "Schema",
    "SchemaError",
    "catalogue",
    "check_raw",
    "default_key",
    "is_derivable",
    "load_schema",
    "schema_problems",
    "used_providers",
]
