"""The SPARQL 1.1 Service Description of the endpoint: what it speaks and serves."""

from __future__ import annotations

import kg
from kg.config import Settings
from kg.store import convert_rdf

FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


def service_description(endpoint: str, settings: Settings, format_name: str) -> bytes:
    """The description of the endpoint at ``endpoint``, in ``format_name`` (a graph
    format of ``kg.store``)."""
    languages = ["sd:SPARQL10Query", "sd:SPARQL11Query"]
    if settings.update_token is not None:
        languages.append("sd:SPARQL11Update")
    features = ["sd:UnionDefaultGraph"]
    if settings.allow_service:
        features.append("sd:BasicFederatedQuery")
    formats = ", ".join(f"<{FORMATS}{name}>" for name in RESULT_FORMATS)
    turtle = f"""\
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ent: <http://www.w3.org/ns/entailment/> .

<{endpoint}#service> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    dcterms:title "strike-kg {kg.__version__}" ;
    sd:supportedLanguage {", ".join(languages)} ;
    sd:resultFormat {formats} ;
    sd:feature {", ".join(features)} ;
    sd:defaultEntailmentRegime ent:Simple ;
    sd:defaultDataset [
        a sd:Dataset ;
        sd:defaultGraph [ a sd:Graph ]
    ] .
"""
    return convert_rdf(turtle.encode(), "turtle", format_name)
