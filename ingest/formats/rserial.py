"""R's serialisation format (XDR, versions 2 and 3), read for the .rda files that hold R lists.

pyreadr reads data frames (ingest/formats/rframes.py) but skips lists; ``fishbase.rda`` (a list of 30,970 records) and
rangeBuilder's ``sysdata.rda`` (country lists by species) are lists. The pure-Python ``rdata`` package took 25 and
51 s for them here (a loaded machine) and up to 850 MB, building a parse tree of every object, most never used; this
reader walks the same format into plain values in 1-4 s (docs/decisions/0012-r-data-parser.md): numbers as numpy
arrays, strings as str (R's NA as None), lists as Python lists, pairlists as (tag, value) lists. It reads what
those files hold and names anything else it meets (byte code, unknown ALTREP classes) instead of guessing.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

# SEXP types (R Internals, "Serialization formats")
SYMSXP, LISTSXP, CLOSXP, ENVSXP, PROMSXP, LANGSXP = 1, 2, 3, 4, 5, 6
CHARSXP, LGLSXP, INTSXP, REALSXP, CPLXSXP, STRSXP, DOTSXP = 9, 10, 13, 14, 15, 16, 17
VECSXP, EXPRSXP, EXTPTRSXP, WEAKREFSXP, RAWSXP, S4SXP = 19, 20, 22, 23, 24, 25
ALTREP_SXP, ATTRLISTSXP, ATTRLANGSXP, BASEENV_SXP, EMPTYENV_SXP = 238, 239, 240, 241, 242
PERSISTSXP, PACKAGESXP, NAMESPACESXP, BASENAMESPACE_SXP = 247, 248, 249, 250
MISSINGARG_SXP, UNBOUNDVALUE_SXP, GLOBALENV_SXP, NILVALUE_SXP, REFSXP = 251, 252, 253, 254, 255
PAIRLISTS = {LISTSXP, LANGSXP, CLOSXP, PROMSXP, DOTSXP, ATTRLISTSXP, ATTRLANGSXP}
NUMBERS = {LGLSXP: ">i4", INTSXP: ">i4", REALSXP: ">f8", CPLXSXP: ">c16"}
NAMES = {
    SYMSXP: "symbol",
    LISTSXP: "pairlist",
    LGLSXP: "logical",
    INTSXP: "integer",
    REALSXP: "double",
    CPLXSXP: "complex",
    STRSXP: "character",
    VECSXP: "list",
    EXPRSXP: "expression",
    RAWSXP: "raw",
}
LATIN1_MASK = 1 << 2  # of a CHARSXP's levels: the string is Latin-1; otherwise UTF-8 or ASCII


class RSerialError(ValueError):
    """A file that is not R serialisation this reader knows."""


@dataclass
class Symbol:
    name: str


@dataclass
class RValue:
    """A vector (``kind`` is R's typeof: "character", "double", "list" ...) or pairlist, with its attributes."""

    kind: str
    values: Any  # numpy array (numbers), list of str | None (character), list (list, pairlist: (tag, value))
    attributes: dict[str, Any] = field(default_factory=dict)


class _Reader:
    def __init__(self, data: bytes, path: Path):
        self.data, self.pos, self.path = data, 0, path
        self.refs: list[Any] = []

    def fail(self, what: str) -> RSerialError:
        return RSerialError(f"{self.path}: {what} (at byte {self.pos} of the uncompressed data)")

    def int(self) -> int:
        (value,) = struct.unpack_from(">i", self.data, self.pos)
        self.pos += 4
        return value

    def length(self) -> int:
        n = self.int()
        if n == -1:  # a long vector: the length in two ints
            upper, lower = self.int(), self.int()
            n = (upper << 32) + (lower & 0xFFFFFFFF)
        return n

    def charsxp(self, flags: int) -> str | None:
        n = self.int()
        if n == -1:
            return None  # NA_character_
        raw = self.data[self.pos : self.pos + n]
        self.pos += n
        return raw.decode("latin-1" if (flags >> 12) & LATIN1_MASK else "utf-8")

    def strings(self, n: int) -> list[str | None]:
        out = []
        data, unpack = self.data, struct.unpack_from
        pos = self.pos
        for _ in range(n):  # the hot loop of both files: kept flat
            flags, size = unpack(">ii", data, pos)
            pos += 8
            if size == -1:
                out.append(None)
            else:
                out.append(data[pos : pos + size].decode("latin-1" if (flags >> 12) & LATIN1_MASK else "utf-8"))
                pos += size
        self.pos = pos
        return out

    def attributes(self, flags: int) -> dict[str, Any]:
        if not flags & (1 << 9):
            return {}
        attrs = self.item()
        return {tag.name: value for tag, value in attrs.values} if isinstance(attrs, RValue) else {}

    def item(self) -> Any:
        flags = self.int()
        kind = flags & 0xFF
        if kind == NILVALUE_SXP:
            return None
        if kind in (EMPTYENV_SXP, BASEENV_SXP, GLOBALENV_SXP, BASENAMESPACE_SXP, MISSINGARG_SXP, UNBOUNDVALUE_SXP):
            return Symbol(f"<environment {kind}>")
        if kind == REFSXP:
            index = flags >> 8 or self.int()
            return self.refs[index - 1]
        if kind == SYMSXP:
            inner = self.int()
            symbol = Symbol(self.charsxp(inner) or "")
            self.refs.append(symbol)
            return symbol
        if kind in (PACKAGESXP, NAMESPACESXP, PERSISTSXP):
            self.int()  # 0
            names = [self.item() for _ in range(self.int())]
            value = Symbol(f"<{'package' if kind == PACKAGESXP else 'namespace'} {':'.join(map(str, names))}>")
            self.refs.append(value)
            return value
        if kind == ENVSXP:  # kept as a stand-in: added to the references first, as R reads it
            value = RValue("environment", None)
            self.refs.append(value)
            self.int()  # locked
            value.values = [self.item() for _ in range(3)]  # enclosure, frame, hash table
            attrs = self.item()
            value.attributes = {tag.name: v for tag, v in attrs.values} if isinstance(attrs, RValue) else {}
            return value
        if kind in (EXTPTRSXP, WEAKREFSXP):  # data.table's self-reference: nothing to read in it
            value = RValue("externalptr" if kind == EXTPTRSXP else "weakref", None)
            self.refs.append(value)
            if kind == EXTPTRSXP:
                value.values = [self.item(), self.item()]  # protected value, tag
            value.attributes = self.attributes(flags)
            return value
        if kind in PAIRLISTS:
            return self.pairlist(flags)
        if kind == ALTREP_SXP:
            return self.altrep()
        if kind == CHARSXP:
            return self.charsxp(flags)
        if kind in NUMBERS:
            n = self.length()
            dtype = np.dtype(NUMBERS[kind])
            values = np.frombuffer(self.data, dtype=dtype, count=n, offset=self.pos).astype(dtype.newbyteorder("="))
            self.pos += n * dtype.itemsize
        elif kind == STRSXP:
            values = self.strings(self.length())
        elif kind in (VECSXP, EXPRSXP):
            values = [self.item() for _ in range(self.length())]
        elif kind == RAWSXP:
            n = self.length()
            values = self.data[self.pos : self.pos + n]
            self.pos += n
        elif kind == S4SXP:
            values = None
        else:
            raise self.fail(f"R object of type {kind} (environment, closure or byte code) is not read here")
        return RValue(NAMES.get(kind, str(kind)), values, self.attributes(flags))

    def pairlist(self, flags: int) -> RValue:
        """A pairlist walked along its cdr (a loop, not recursion: R writes long pairlists as nested cells)."""
        cells, attributes = [], {}
        first = True
        while True:
            kind = flags & 0xFF
            attrs = self.attributes(flags) if flags & (1 << 9) else {}
            if first:
                attributes, first = attrs, False
            tag = self.item() if flags & (1 << 10) else None
            cells.append((tag, self.item()))
            flags = self.int()
            if (flags & 0xFF) not in PAIRLISTS or (flags & 0xFF) != kind:
                self.pos -= 4  # not a further cell of this pairlist: the cdr is an item of its own
                rest = self.item()
                if rest is not None:
                    cells.append((None, rest))
                return RValue("pairlist", cells, attributes)

    def altrep(self) -> RValue:
        """R >= 3.5 writes some vectors in a compact form: expand the classes these files use."""
        info, state, attrs = self.item(), self.item(), self.item()
        name = info.values[0][1].name if isinstance(info, RValue) else "?"
        if name in ("compact_intseq", "compact_realseq"):
            n, start, step = state.values[:3]
            values = start + step * np.arange(int(n))
            value = RValue(
                "integer" if name == "compact_intseq" else "double",
                values.astype(np.int32 if name == "compact_intseq" else np.float64),
            )
        elif name.startswith("wrap_"):
            value = state.values[0]  # list(the wrapped vector, metadata)
        else:
            raise self.fail(f"ALTREP class {name} is not read here")
        if isinstance(attrs, RValue):
            value.attributes = {tag.name: v for tag, v in attrs.values}
        return value


def _decompressed(path: Path) -> bytes:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        return gzip.decompress(raw)
    if raw[:3] == b"BZh":
        return bz2.decompress(raw)
    if raw[:6] == b"\xfd7zXZ\x00":
        return lzma.decompress(raw)
    return raw


def read_rda(path: Path, names: set[str] | None = None) -> dict[str, Any]:
    """The named objects of an .rda file (what R's ``load`` would create), in file order; with ``names``, only
    those, reading no further than the last of them (rangeBuilder's sysdata.rda ends with byte code)."""
    path = Path(path)
    try:
        data = _decompressed(path)
    except (OSError, EOFError, lzma.LZMAError) as error:
        raise RSerialError(f"{path}: not a readable R data file ({error})") from error
    if data[:5] not in (b"RDX2\n", b"RDX3\n") or data[5:7] != b"X\n":
        raise RSerialError(f"{path}: not an R data file in XDR format (it starts {data[:7]!r})")
    reader = _Reader(data, path)
    reader.pos = 7
    version = reader.int()
    reader.int(), reader.int()  # the R version that wrote it, the oldest that reads it
    if version == 3:
        size = reader.int()
        reader.pos += size  # the native encoding's name
    elif version != 2:
        raise reader.fail(f"serialisation version {version}")
    objects: dict[str, Any] = {}
    try:
        # the file is one pairlist, tag = object name: walked cell by cell so that it can stop early
        flags = reader.int()
        while flags & 0xFF == LISTSXP and (names is None or not names <= set(objects)):
            reader.attributes(flags)
            tag = reader.item() if flags & (1 << 10) else None
            value = reader.item()
            if isinstance(tag, Symbol) and (names is None or tag.name in names):
                objects[tag.name] = value
            flags = reader.int()
    except (struct.error, IndexError, AttributeError, TypeError, UnicodeDecodeError) as error:
        raise reader.fail(f"not readable as R serialisation ({type(error).__name__}: {error})") from error
    except RSerialError as error:
        if names is None:
            raise
        # an object this reader does not read (byte code) before all the wanted ones were found
        raise RSerialError(
            f"{path}: objects not found: {', '.join(sorted(names - set(objects)))} (reading stopped: {error})"
        ) from error
    missing = sorted((names or set()) - set(objects))
    if missing:
        raise RSerialError(f"{path}: objects not found: {', '.join(missing)}")
    return objects
