"""The REST API's JSON parser: DRF's, plus limits, so that a hostile body is a 400 that says
why instead of a 500 further down (a RecursionError, a string that cannot be encoded back)."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

#: Deeper than any document of the API (dataflow options nest a few levels).
MAX_DEPTH = 32
TOO_DEEP = f"JSON parse error - nested deeper than {MAX_DEPTH} levels; send a flatter document."
BAD_TEXT = (
    "JSON parse error - a string holds a lone surrogate (such as \\ud800), which is not "
    "text; remove it and send the document again."
)


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        problem = _problem(data)
        if problem:
            raise ParseError(problem)
        return data


def _problem(data) -> str | None:
    """Why `data` is refused: a container deeper than MAX_DEPTH, or a string (a key too) that
    is not valid UTF-8 text. Iterative, so a deep document cannot overflow it. (A NUL is left
    to the fields, which refuse it with the field's name.)"""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            value = list(value.values())
        if isinstance(value, list):
            if depth > MAX_DEPTH:
                return TOO_DEEP
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not _is_text(value):
            return BAD_TEXT
    return None


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
