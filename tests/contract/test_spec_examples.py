"""Every example in every spec, and a body synthesized for every operation, validates (guards
the schema compiler).
"""

from __future__ import annotations

from typing import Any

from tests.contract.validator import operations


def _all_examples() -> list[tuple[str, str, Any, Any]]:
    cases = []
    for operation in operations():
        media_list = []
        if operation.request_body:
            media_list += [
                ("request", m) for m in operation.request_body.get("content", {}).values()
            ]
        for status, resp in (operation.raw.get("responses") or {}).items():
            for media in (operation.deref(resp).get("content") or {}).values():
                media_list.append((f"response {status}", media))
        for where, media in media_list:
            media = operation.deref(media)
            values = [media["example"]] if "example" in media else []
            values += [
                operation.deref(v)["value"]
                for v in (media.get("examples") or {}).values()
                if "value" in operation.deref(v)
            ]
            for value in values:
                cases.append((operation, where, media, value))
    return cases


def test_all_spec_examples_validate() -> None:
    cases = _all_examples()
    assert len(cases) > 150
    failures = []
    for operation, where, media, value in cases:
        mode = "request" if where == "request" else "response"
        check = operation.body_check(media, mode)
        errs = check(value) if check is not None else None
        if errs:
            failures.append(f"{operation.name} {where}: {errs[:3]}")
    assert not failures, "\n".join(failures)


def test_synthesized_bodies_validate_for_every_operation() -> None:
    failures = []
    for operation in operations():
        wheres: list[tuple[str, int]] = [("request", 0)] if operation.request_body else []
        wheres += [
            ("response", int(s)) for s in operation.raw.get("responses") or {} if s.isdigit()
        ]
        for where, status in wheres:
            try:
                value = operation.synthesized(where, status or 200)
            except LookupError:  # no JSON body documented
                continue
            problems = operation.body_problems(value, where, status or 200)
            if problems:
                failures.append(f"{operation.name} {where} {status}: {problems[:3]}")
    assert not failures, "\n".join(failures)
