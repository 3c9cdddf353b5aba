"""greencli.cli.coercion gives every option value it converts exactly what Typer's own pydantic conversion gives,
and leaves the rest (and so every error) to Typer."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import typer.main
from greencli.cli.app import app
from greencli.cli.coercion import NOT_PLAIN, PlainParam, _converter, install
from hypothesis import example, given
from hypothesis import strategies as st
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param
from typer.core import _TyperParameter

COMMAND = typer.main.get_command(app)
PARAMS: dict[tuple[str, str], _TyperParameter] = {
    (name, p.name or ""): p
    for name, sub in COMMAND.commands.items()  # type: ignore[attr-defined]
    for p in sub.params
    if isinstance(p, _TyperParameter)
}
# One option of each kind greencli has: a bounded whole number, a number with a floor, text, paths that must be a
# folder or a file when they exist, a list of texts.
KINDS = [("score", "jobs"), ("score", "wait"), ("score", "year"), ("history", "code"), ("rollup", "inbox"),
         ("template", "roster"), ("score", "files")]  # fmt: skip
TEXT = st.text(alphabet="0123456789+-._ e１２。abc\t", max_size=8)


def typer_value(param: _TyperParameter, value: Any, ctx: Context) -> tuple[str, Any]:
    try:
        return "ok", build_runtime_param(param.type_descriptor)._coerce_value(value, param=param, ctx=ctx)
    except BadParameter as exc:
        return "error", exc.message


def test_every_option_of_every_command_has_a_plain_conversion() -> None:
    """A new option of another kind would load pydantic on every run: it is said here first."""
    kinds = {(name, repr(p.type_descriptor.annotation)) for (name, _), p in PARAMS.items()
             if _converter(p.type_descriptor) is None}  # fmt: skip
    assert not kinds


@pytest.mark.parametrize("kind", KINDS, ids=["-".join(k) for k in KINDS])
@given(value=TEXT)
@example(value="")
@example(value="007")
@example(value="64")
@example(value="65")
@example(value="-0")
@example(value=".5")
@example(value="5.")
@example(value="1e3")
def test_a_converted_value_is_what_typer_gives(kind: tuple[str, str], value: str) -> None:
    param = PARAMS[kind]
    ctx = Context(COMMAND)
    converter = _converter(param.type_descriptor)
    assert converter is not None
    given_value: Any = (value,) if param.nargs == -1 else value
    try:
        ours = converter(given_value, param, ctx)
    except BadParameter as exc:  # a path refused by Typer's own check, which ours calls
        assert typer_value(param, given_value, ctx) == ("error", exc.message)
        return
    if ours is NOT_PLAIN:
        return
    verdict, theirs = typer_value(param, given_value, ctx)
    assert verdict == "ok", theirs  # a value ours takes, Typer takes too
    assert type(ours) is type(theirs)
    assert ours == theirs or (isinstance(ours, float) and math.isnan(ours) and math.isnan(theirs))


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (("score", "jobs"), "abc"),
        (("score", "jobs"), "100"),
        (("score", "wait"), "-1"),
        (("score", "year"), "２０２２"),
    ],
)
def test_a_value_that_is_not_plain_gets_typers_own_error(kind: tuple[str, str], value: str) -> None:
    param = PARAMS[kind]
    ctx = Context(COMMAND)
    plain = PlainParam(parameter_info=param.type_descriptor.parameter_info, annotation=param.type_descriptor.annotation,
                       descriptor=param.type_descriptor, convert=_converter(param.type_descriptor))  # type: ignore[arg-type]  # fmt: skip
    verdict, theirs = typer_value(param, value, ctx)
    if verdict == "ok":
        assert plain.coerce(value, param, ctx) == theirs
        return
    with pytest.raises(BadParameter) as raised:
        plain.coerce(value, param, ctx)
    assert raised.value.message == theirs


def test_paths_keep_typers_checks(tmp_path: Path) -> None:
    """A file given where a folder is asked for is refused by Typer's own check, with its message."""
    param = PARAMS[("rollup", "inbox")]
    ctx = Context(COMMAND)
    (tmp_path / "f.xlsx").write_bytes(b"x")
    convert = _converter(param.type_descriptor)
    assert convert is not None
    with pytest.raises(BadParameter):
        convert(str(tmp_path / "f.xlsx"), param, ctx)
    assert convert(str(tmp_path), param, ctx) == tmp_path


def test_install_leaves_a_conversion_already_made() -> None:
    param = PARAMS[("score", "jobs")]
    saved = param._runtime_param
    try:
        param._runtime_param = None
        install([param])
        assert isinstance(param._runtime_param, PlainParam)
        made = param._runtime_param
        install([param])
        assert param._runtime_param is made
    finally:
        param._runtime_param = saved
