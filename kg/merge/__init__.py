"""Cross-article consolidation, run once per ingest over everything stored.

``entities``: one canonical node per entity, from every mention of it. ``strikes``: one
``sk:Strike`` per real strike, from the reports of every article that describes it.
"""

from kg.merge.entities import consolidate, referenced_entities

__all__ = ["consolidate", "referenced_entities"]
