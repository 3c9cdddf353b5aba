"""Option values made into Python values without loading pydantic, when they are plainly valid.

Typer 0.29 converts each option's value through a pydantic TypeAdapter it builds for that option: loading pydantic
and building a schema per option costs about 0.1 s before a command does anything, most of an unchanged nightly
rollup's time. The kinds of value greencli's options take (text, whole numbers within bounds, numbers, paths, flags,
lists of text) are converted here exactly as those adapters convert them. Anything else (a value that is not plainly
valid, a kind not listed here) goes to Typer's own conversion, so a bad value gets Typer's error, which
`greencli.cli.i18n` puts in Chinese as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

from typer._click import Context, Parameter
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import coerce_cli_path, lenient_issubclass, routes_to_path
from typer.core import _TyperParameter

# What pydantic's lax mode reads as the same number; anything else (spaces, "1_000", "1e3", full-width digits, a
# leading zero) is left to it.
_INTEGER = re.compile(r"[+-]?(?:0|[1-9][0-9]{0,17})")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15})")


class _NotPlain:
    """A value this module does not convert: Typer's own conversion does."""


NOT_PLAIN = _NotPlain()
Convert = Callable[[Any, Parameter, Context], Any]


@dataclass(frozen=True)
class PlainParam(RuntimeParam):
    """An option's conversion: `convert` for plain values, Typer's own (built only when needed) for the rest."""

    descriptor: TypeDescriptor
    convert: Convert

    def _coerce_value(self, value: Any, param: Any, ctx: Context) -> Any:
        done = self.convert(value, param, ctx)
        if done is NOT_PLAIN:
            return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)
        return done


def _text(value: Any, _param: Parameter, _ctx: Context) -> Any:
    return value if isinstance(value, str) else NOT_PLAIN


def _flag(value: Any, _param: Parameter, _ctx: Context) -> Any:
    return value if isinstance(value, bool) else NOT_PLAIN


def _texts(value: Any, _param: Parameter, _ctx: Context) -> Any:
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    return NOT_PLAIN


def _within(number: float, low: float | None, high: float | None) -> bool:
    return (low is None or number >= low) and (high is None or number <= high)


def _integer(low: float | None, high: float | None) -> Convert:
    def convert(value: Any, _param: Parameter, _ctx: Context) -> Any:
        if isinstance(value, str) and _INTEGER.fullmatch(value):
            number = int(value)
        elif type(value) is int:
            number = value
        else:
            return NOT_PLAIN
        return number if _within(number, low, high) else NOT_PLAIN

    return convert


def _decimal(low: float | None, high: float | None) -> Convert:
    def convert(value: Any, _param: Parameter, _ctx: Context) -> Any:
        if isinstance(value, str) and _DECIMAL.fullmatch(value) and value.strip("+-."):
            number = float(value)
        elif type(value) is float:
            number = value
        else:
            return NOT_PLAIN
        return number if _within(number, low, high) else NOT_PLAIN

    return convert


def _path(descriptor: TypeDescriptor, kind: type[Path]) -> Convert:
    info = descriptor.parameter_info

    def convert(value: Any, param: Parameter, ctx: Context) -> Any:
        if isinstance(value, str) and value and "\0" not in value:
            value = kind(value)
        if not isinstance(value, kind):
            return NOT_PLAIN
        # Typer's own checks and messages (exists, file or folder, dash); given a Path it never calls pydantic
        return coerce_cli_path(value, info, path_type=kind, param=param, ctx=ctx)  # type: ignore[arg-type]

    return convert


def _converter(descriptor: TypeDescriptor) -> Convert | None:
    info, annotation = descriptor.parameter_info, descriptor.annotation
    origin: object = get_origin(annotation)
    if descriptor.file_annotation is not None or info.parser is not None or info.clamp:
        return None
    if origin is list and get_args(annotation) == (str,):
        return _texts
    if annotation is str:
        return _text
    if annotation is bool:
        return _flag
    if annotation is int:
        return _integer(info.min, info.max)
    if annotation is float:
        return _decimal(info.min, info.max)
    if lenient_issubclass(annotation, Path) and info.path_type is None and routes_to_path(annotation, info):
        return _path(descriptor, annotation)
    return None


def install(params: Iterable[Parameter]) -> None:
    """Give each of a command's options this module's conversion where it has one (before its values are read)."""
    for param in params:
        if not isinstance(param, _TyperParameter) or param._runtime_param is not None:
            continue
        descriptor = param.type_descriptor
        convert = _converter(descriptor)
        if convert is not None:
            param._runtime_param = PlainParam(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                descriptor=descriptor,
                convert=convert,
            )
