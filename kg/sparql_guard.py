"""Token-level checks on SPARQL text that the engine does not offer: which URLs SERVICE and LOAD would fetch,
whether an update names its own dataset (USING/WITH), and adding the protocol's using-graph-uri as USING clauses.

pyoxigraph exposes no parsed algebra, so this is a small lexer: it skips comments, strings and IRIs so that a
keyword inside a literal (``"SERVICE"``) is never mistaken for one, and it tracks brace depth so that only
top-level update clauses are touched. The engine still parses the text afterwards and reports syntax errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<comment>\#[^\n\r]*)
      | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                   |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
      | (?P<pname>[A-Za-z][\w.-]*?:[\w.%:-]*|:[\w.%:-]*)
      | (?P<word>[A-Za-z_][\w-]*)
      | (?P<punct>.)""",
    re.VERBOSE | re.DOTALL,
)


@dataclass
class Token:
    kind: str
    text: str
    start: int
    depth: int  # brace depth before the token


def tokens(text: str) -> list[Token]:
    out: list[Token] = []
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        value = match.group()
        out.append(Token(kind, value, match.start(), depth))
        if value == "{":
            depth += 1
        elif value == "}":
            depth = max(0, depth - 1)
    return out


def _prefixes(toks: list[Token]) -> dict[str, str]:
    declared = {}
    for i, tok in enumerate(toks[:-2]):
        if tok.kind == "word" and tok.text.upper() == "PREFIX" and toks[i + 2].kind == "iri":
            declared[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
    return declared


def fetched_urls(text: str) -> list[str | None]:
    """The URLs a query's SERVICE or an update's LOAD would fetch; None where it cannot be known (a variable)."""
    toks = tokens(text)
    declared = _prefixes(toks)
    urls: list[str | None] = []
    for i, tok in enumerate(toks):
        if tok.kind != "word" or tok.text.upper() not in ("SERVICE", "LOAD"):
            continue
        j = i + 1
        if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
            j += 1
        target = toks[j] if j < len(toks) else None
        if target is None:
            continue  # a syntax error the engine reports
        if target.kind == "iri":
            urls.append(target.text[1:-1])
        elif target.kind == "pname" and target.text.split(":", 1)[0] in declared:
            prefix, local = target.text.split(":", 1)
            urls.append(declared[prefix] + local)
        else:
            urls.append(None)
    return urls


def refused_urls(text: str, allowlist: set[str]) -> list[str]:
    """SERVICE/LOAD targets not on the allow-list (exact URLs): the server would fetch them on the client's behalf."""
    return ["(a variable)" if url is None else url for url in fetched_urls(text) if url is None or url not in allowlist]


def names_own_dataset(update: str) -> bool:
    """Whether an update has a top-level USING or WITH clause (then using-graph-uri parameters conflict)."""
    return any(t.kind == "word" and t.depth == 0 and t.text.upper() in ("USING", "WITH") for t in tokens(update))


def add_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Put the protocol's dataset in front of the WHERE of every DELETE/INSERT ... WHERE operation.

    The IRIs must already be checked (ox.NamedNode) so they cannot contain '>' or spaces.
    """
    if not using and not using_named:
        return update
    clause = "".join(f" USING <{g}>" for g in using) + "".join(f" USING NAMED <{g}>" for g in using_named) + " "
    toks = tokens(update)
    # operations are separated by ';' at depth 0: reset the state there
    result = []
    last = 0
    operation = None
    for i, tok in enumerate(toks):
        if tok.depth == 0 and tok.text == ";":
            operation = None
            continue
        if tok.kind != "word" or tok.depth != 0:
            continue
        word = tok.text.upper()
        if word in ("INSERT", "DELETE") and operation is None:
            following = toks[i + 1].text.upper() if i + 1 < len(toks) else ""
            operation = "data" if following in ("DATA", "WHERE") else "modify"
        elif word == "WHERE" and operation == "modify":
            result.append(update[last : tok.start])
            result.append(clause)
            last = tok.start
            operation = "done"
    result.append(update[last:])
    return "".join(result)
