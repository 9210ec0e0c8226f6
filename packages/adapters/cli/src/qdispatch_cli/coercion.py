"""Plain conversions for plain options, so a command that needs no pydantic never imports it.

Typer converts every parameter through a pydantic TypeAdapter, built when the command runs;
importing pydantic for that costs about as much as everything `qdispatch devices` does. Text,
whole numbers, numbers and repeated text need no schema: `prepare` gives such parameters a
converter of their own (Typer's `RuntimeParam` contract) and leaves every other parameter
(paths, choices) to Typer. Should Typer change that contract, `prepare` changes nothing and
Typer converts everything as before.
"""

from __future__ import annotations

from typing import Any

TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


def _boolean(value: Any) -> bool:
    text = str(value).strip().lower()
    if text in TRUE or text in FALSE:
        return text in TRUE
    raise ValueError(value)


CONVERTERS: dict[Any, tuple[Any, str]] = {
    str: (str, "text"),
    int: (int, "whole number"),
    float: (float, "number"),
    bool: (_boolean, "true or false"),
}


def _plain_param_class() -> type | None:
    try:
        from typer._click.exceptions import BadParameter
        from typer._coercion import RuntimeParam
    except ImportError:
        return None

    class PlainRuntimeParam(RuntimeParam):
        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if isinstance(value, (list, tuple)):
                return [self._one(v, param, ctx) for v in value]
            return self._one(value, param, ctx)

        def _one(self, value: Any, param: Any, ctx: Any) -> Any:
            leaf = _leaf(self.annotation)
            convert, words = CONVERTERS[leaf]
            if type(value) is leaf:
                return value
            try:
                return convert(value)
            except (TypeError, ValueError):
                raise BadParameter(
                    f"expected a {words}, got {str(value)[:40]!r}", ctx=ctx, param=param
                ) from None

    return PlainRuntimeParam


def _leaf(annotation: Any) -> Any:
    """`list[str]` → `str`; anything else as it is."""
    if getattr(annotation, "__origin__", None) is list:
        (item,) = annotation.__args__
        return item
    return annotation


def _help_option(command: Any, names: list[str] | None) -> list[Any]:
    """The command's --help option, made now (Typer makes it, once, when a context asks) so
    that it gets a plain converter too. `names` are the root's help option names, which every
    subcommand's context inherits."""
    try:
        from types import SimpleNamespace

        found = command.get_help_option(SimpleNamespace(help_option_names=names or ["--help"]))
    except Exception:  # another Typer: leave its help option alone
        return []
    return [found] if found is not None else []


def prepare(command: Any) -> None:
    """Give the plain parameters of `command` (and of its subcommands) plain converters;
    once per command tree."""
    if getattr(command, "_plain_converters", False):
        return
    command._plain_converters = True
    plain = _plain_param_class()
    if plain is None:
        return
    names = (getattr(command, "context_settings", None) or {}).get("help_option_names")
    stack = [command]
    while stack:
        current = stack.pop()
        stack.extend(getattr(current, "commands", {}).values())
        for param in [*getattr(current, "params", ()), *_help_option(current, names)]:
            descriptor = getattr(param, "type_descriptor", None)
            if descriptor is None or not hasattr(param, "_runtime_param"):
                continue
            annotation = descriptor.annotation
            if _leaf(annotation) not in CONVERTERS or descriptor.file_annotation is not None:
                continue
            if getattr(param, "min", None) is not None or getattr(param, "max", None) is not None:
                continue  # Typer's adapter checks the bounds
            param._runtime_param = plain(
                parameter_info=descriptor.parameter_info, annotation=annotation
            )
