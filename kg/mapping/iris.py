"""The IRIs the graph mints, all under one configurable base."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Iris:
    """Mints every IRI of the graph under one base.

    Example:
        >>> Iris("https://example.org/").char("a1", 0, 5)
        'https://example.org/doc/a1#char=0,5'
    """

    base: str

    def doc(self, doc_id: str) -> str:
        return f"{self.base}doc/{doc_id}"

    def char(self, doc_id: str, begin: int, end: int) -> str:
        return f"{self.base}doc/{doc_id}#char={begin},{end}"

    def doc_graph(self, doc_id: str) -> str:
        return f"{self.base}graph/doc/{doc_id}"

    def graph_of_doc(self, doc: str) -> str:
        """The named graph of the article whose IRI is ``doc``."""
        return self.doc_graph(doc.removeprefix(f"{self.base}doc/"))

    def report(self, doc_id: str, number: int) -> str:
        return f"{self.base}doc/{doc_id}/report/{number}"

    def local_entity(self, doc_id: str, begin: int, end: int) -> str:
        """An unnamed target or source, known only within one article."""
        return f"{self.base}doc/{doc_id}/entity/{begin}-{end}"

    def strike(self, key: str) -> str:
        return f"{self.base}strike/{key}"

    def entity(self, key: str) -> str:
        return f"{self.base}entity/{key}"

    def run(self, run_id: str) -> str:
        return f"{self.base}run/{run_id}"

    @property
    def doc_graph_prefix(self) -> str:
        return f"{self.base}graph/doc/"

    @property
    def entity_prefix(self) -> str:
        return f"{self.base}entity/"

    @property
    def kg_graph(self) -> str:
        return f"{self.base}graph/kg"

    @property
    def ontology_graph(self) -> str:
        return f"{self.base}graph/ontology"
