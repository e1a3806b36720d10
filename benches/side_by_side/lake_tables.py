"""The tables of a Hive-partitioned lake as tarn sees them, for the engines that need them
declared: `<root>/<namespace>/<table>/[v<N>/]<key>=<value>/…/*.parquet`, the highest version of
a table, and partition key types inferred by tarn's rule (all canonical integers → BIGINT, all
YYYY-MM-DD → DATE, otherwise VARCHAR, so YYYYMMDD stays a string)."""

import os
import re
from dataclasses import dataclass
from pathlib import Path

_VERSION = re.compile(r"v(\d+)")
_INTEGER = re.compile(r"-?(0|[1-9]\d*)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_COMPACT_DATE = re.compile(r"\d{8}")  # YYYYMMDD: Presto users compare it to '20170101'


@dataclass(frozen=True)
class LakeTable:
    """A table: its namespace and name, data folder and typed partition keys in path order."""

    namespace: str
    name: str
    folder: Path
    partition_keys: tuple[tuple[str, str], ...]

    @property
    def qualified(self) -> str:
        return f"{self.namespace}.{self.name}"


def _visible(entry: os.DirEntry[str]) -> bool:
    return entry.is_dir() and not entry.name.startswith(("_", "."))


def _data_folder(table: Path) -> Path:
    versions = [
        (int(m.group(1)), e.path) for e in os.scandir(table) if _visible(e) and (m := _VERSION.fullmatch(e.name))
    ]
    return Path(max(versions)[1]) if versions else table


def _key_type(values: set[str]) -> str:
    if values and all(_COMPACT_DATE.fullmatch(v) for v in values):
        return "VARCHAR"
    if values and all(_INTEGER.fullmatch(v) for v in values):
        return "BIGINT"
    if values and all(_DATE.fullmatch(v) for v in values):
        return "DATE"
    return "VARCHAR"


def _partition_keys(folder: Path) -> tuple[tuple[str, str], ...]:
    """Keys in path order, each typed from the values of every folder at its depth."""
    keys: list[tuple[str, str]] = []
    level = [folder]
    while True:
        values: dict[str, set[str]] = {}
        children = []
        for parent in level:
            for entry in os.scandir(parent):
                if _visible(entry) and "=" in entry.name:
                    key, value = entry.name.split("=", 1)
                    values.setdefault(key, set()).add(value)
                    children.append(Path(entry.path))
        if len(values) != 1:
            return tuple(keys)
        [(key, seen)] = values.items()
        keys.append((key, _key_type(seen - {"__HIVE_DEFAULT_PARTITION__"})))
        level = children


def discover(root: Path) -> list[LakeTable]:
    """Every table of the lake at ``root``, namespaces and tables in name order."""
    tables = []
    for namespace in sorted((e for e in os.scandir(root) if _visible(e)), key=lambda e: e.name):
        for table in sorted((e for e in os.scandir(namespace.path) if _visible(e)), key=lambda e: e.name):
            folder = _data_folder(Path(table.path))
            tables.append(LakeTable(namespace.name, table.name, folder, _partition_keys(folder)))
    return tables
