"""Plain-data conversion shared by every result type: dicts from GraphQL into dataclasses, and
dataclasses back into flat rows for tables (``pandas.DataFrame(result.rows())``) without pandas.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import sys
import typing
from typing import Any, Dict, Generic, List, Optional, Type, TypeVar

T = TypeVar("T", bound="Model")


def camel(name: str) -> str:
    """``gpu_family`` -> ``gpuFamily``: the GraphQL field a dataclass field is read from."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def parse_datetime(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


_HINTS: Dict[type, Dict[str, Any]] = {}


def _hints(cls: type) -> Dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    return _HINTS[cls]


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union:  # Optional[X]
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value) if len(inner) == 1 else value
    if origin in (list, List) and args:
        return [_convert(args[0], v) for v in value] if isinstance(value, list) else value
    if isinstance(tp, type) and issubclass(tp, Model) and isinstance(value, dict):
        return tp.from_dict(value)
    if tp is _dt.datetime:
        return parse_datetime(value)
    return value


class Model:
    """Base of the result dataclasses: ``from_dict`` (GraphQL JSON), ``to_dict`` and ``row``."""

    @classmethod
    def from_dict(cls: Type[T], data: Dict[str, Any]) -> T:
        """Builds the dataclass from a GraphQL object; fields that were not selected stay None/empty."""
        hints = _hints(cls)
        kwargs = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            key = f.metadata.get("graphql", camel(f.name))
            if key in data:
                kwargs[f.name] = _convert(hints[f.name], data[key])
        return cls(**kwargs)

    def to_dict(self) -> Dict[str, Any]:
        """Nested plain data (dataclasses become dicts, datetimes stay datetimes)."""
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    def text(self) -> str:
        """A short human form, used when a list of these is put into one table cell."""
        parts = [f"{f.name}={getattr(self, f.name)}" for f in dataclasses.fields(self) if getattr(self, f.name) is not None]  # type: ignore[arg-type]
        return " ".join(parts)

    def row(self) -> Dict[str, Any]:
        """One flat dict: nested objects become dotted keys (``status.phase``), lists of objects one
        text cell (``"NVIDIA-H100 3/16"``), scalars and lists of scalars stay as they are."""
        out: Dict[str, Any] = {}
        _flatten(self, "", out)
        return out


def _model_type(tp: Any) -> Optional[type]:
    """The Model class of an ``Optional[SomeModel]`` (or ``SomeModel``) hint, else None."""
    if typing.get_origin(tp) is typing.Union:
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        tp = inner[0] if len(inner) == 1 else None
    return tp if isinstance(tp, type) and issubclass(tp, Model) else None


def _flatten(obj: Optional[Model], prefix: str, out: Dict[str, Any], cls: Optional[type] = None) -> None:
    # A missing nested object still contributes its columns (as None), so every row of a type has
    # the same keys and a DataFrame gets one column per field.
    cls = cls or type(obj)
    hints = _hints(cls)
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.metadata.get("row") is False:
            continue
        value = getattr(obj, f.name) if obj is not None else None
        key = prefix + f.name
        nested = _model_type(hints[f.name])
        if nested is not None and (value is None or isinstance(value, Model)):
            _flatten(value, key + ".", out, nested)
        elif isinstance(value, list) and any(isinstance(v, Model) for v in value):
            out[key] = ", ".join(v.text() if isinstance(v, Model) else str(v) for v in value)
        else:
            out[key] = value


class ResultList(List[T], Generic[T]):
    """A list of results that also converts to table rows: ``pandas.DataFrame(results.rows())``."""

    def rows(self) -> List[Dict[str, Any]]:
        return [item.row() for item in self]


def result_list(cls: Type[T], items: Optional[List[Dict[str, Any]]]) -> ResultList[T]:
    return ResultList(cls.from_dict(i) for i in (items or []))
