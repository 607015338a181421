"""Records of a module: create, read, update, delete and list — in SQL, on typed tables."""

from engine.records.model import Record, RecordPage
from engine.records.query import Filter, ListQuery, build_filter, list_records, parse_list_params
from engine.records.service import create_record, delete_record, get_record, update_record

__all__ = [
    "Filter",
    "ListQuery",
    "Record",
    "RecordPage",
    "build_filter",
    "create_record",
    "delete_record",
    "get_record",
    "list_records",
    "parse_list_params",
    "update_record",
]
