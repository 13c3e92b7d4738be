"""The formats table (kg/formats.py) agrees with Oxigraph and rdflib, and every syntax reads back what it wrote."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Dataset

from kg import formats

ALL = formats.RESULT_SYNTAXES + formats.GRAPH_SYNTAXES + formats.UPLOAD_SYNTAXES
QUAD = ox.Quad(
    ox.NamedNode("http://example.org/s"),
    ox.NamedNode("http://example.org/p"),
    ox.Literal("Амур 黑龙江"),
    ox.NamedNode("http://example.org/g"),
)


@pytest.mark.parametrize("f", dict.fromkeys(ALL), ids=lambda f: f.name)
def test_media_type_and_extension_are_oxigraphs(f: formats.Format) -> None:
    native = f.rdf if f.kind == "rdf" else f.results
    assert native is not None and (f.rdf is None) != (f.results is None)
    assert native.media_type.split(";")[0] == f.media_type
    assert native.file_extension == f.extension


@pytest.mark.parametrize("f", dict.fromkeys(formats.GRAPH_SYNTAXES + formats.UPLOAD_SYNTAXES), ids=lambda f: f.name)
def test_rdf_syntax_round_trips_through_oxigraph_and_rdflib(f: formats.Format) -> None:
    data = [QUAD] if f.quads and f.rdf_format.supports_datasets else [QUAD.triple]
    written = ox.serialize(data, format=f.rdf_format)
    assert written
    assert [q.object for q in ox.parse(written, format=f.rdf_format)] == [QUAD.object]
    parsed = Dataset().parse(data=written, format=f.rdflib)  # the rdflib name reads the same syntax
    assert [str(o) for _, _, o, _ in parsed.quads((None, None, None, None))] == [QUAD.object.value]


def test_a_results_syntax_has_no_rdf_format_and_back() -> None:
    with pytest.raises(ValueError, match="not an RDF syntax"):
        _ = formats.RESULTS_JSON.rdf_format
    with pytest.raises(ValueError, match="not a SPARQL results syntax"):
        _ = formats.TURTLE.results_format


def test_media_types_lists_own_types_first_then_aliases() -> None:
    table = formats.media_types(formats.GRAPH_SYNTAXES, generic=True)
    assert list(table)[: len(formats.GRAPH_SYNTAXES)] == [f.media_type for f in formats.GRAPH_SYNTAXES]
    assert table["application/x-turtle"] is formats.TURTLE
    assert table["application/json"] is formats.JSON_LD
    assert "application/json" not in formats.media_types(formats.GRAPH_SYNTAXES)
    assert formats.media_types(formats.RESULT_SYNTAXES, generic=True)["text/xml"] is formats.RESULTS_XML
