"""Where one article's ingest time goes: each spaCy component, then each step of strike-kg.

Run by hand, from the repository root (needs the ``bench`` extra):

    python bench/ingest_profile.py [--articles 395] [--html profile.html]

One process, no workers: the development articles (distinct texts, so that no cache of
names is warmer than on a real corpus) go through the pipeline one stage at a time, each
stage over the whole batch, timed; last, the article graphs are written into a fresh
store in a temporary directory. With ``--html``, pyinstrument also records the
strike-kg steps and writes its call tree there. Writes the ``profile`` section of
``docs/BENCHMARKS.md``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from machine import CORPUS, machine, write_section

from kg.config import Settings
from kg.entities import analyse
from kg.errors import IngestError
from kg.events import extract_reports
from kg.ingest import Article, read_articles
from kg.linking.mentions import link_places
from kg.mapping import article_graph
from kg.pipeline import Extractor, new_run
from kg.store import KGStore
from kg.timex import reference_date

_T = TypeVar("_T")


def stage(times: dict[str, float], name: str, work: Callable[[], _T]) -> _T:
    start = time.perf_counter()
    result = work()
    times[name] = time.perf_counter() - start
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=395)
    parser.add_argument("--html", type=Path, help="write pyinstrument's call tree here")
    args = parser.parse_args()
    articles: list[Article] = [
        a for a in read_articles([CORPUS / "fakes-dev.jsonl"]) if not isinstance(a, IngestError)
    ][: args.articles]
    settings = Settings()
    extractor = Extractor(settings, new_run(settings))
    nlp = extractor.nlp
    spacy_times: dict[str, float] = {}
    docs = stage(spacy_times, "tokenizer", lambda: [nlp.make_doc(a.text) for a in articles])
    for name, component in nlp.pipeline:
        start = time.perf_counter()
        if hasattr(component, "pipe"):
            docs = list(component.pipe(docs))
        else:  # a plain function component (the layout sentencizer)
            docs = [component(doc) for doc in docs]
        spacy_times[name] = time.perf_counter() - start
    profiler = None
    if args.html:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    ours: dict[str, float] = {}
    pairs = list(zip(articles, docs, strict=True))
    analyses = stage(
        ours, "entities (kg.entities)", lambda: [analyse(d, extractor.gazetteer) for _, d in pairs]
    )
    linked = stage(
        ours,
        "place linking (kg.linking)",
        lambda: [
            link_places(d, a, extractor.linker, extractor.gazetteer)
            for (_, d), a in zip(pairs, analyses, strict=True)
        ],
    )
    reports = stage(
        ours,
        "strike events (kg.events)",
        lambda: [
            extract_reports(d, a, reference_date(article.text, article.published))
            for (article, d), a in zip(pairs, linked, strict=True)
        ],
    )
    graphs = stage(
        ours,
        "RDF mapping (kg.mapping)",
        lambda: [
            article_graph(article, a, extractor.iris, extractor.fingerprint(article), r)
            for (article, _), a, r in zip(pairs, linked, reports, strict=True)
        ],
    )
    with tempfile.TemporaryDirectory() as directory, KGStore(Path(directory) / "s") as store:
        stage(
            ours,
            "store writes (kg.store)",
            lambda: store.replace_graphs({g.graph: g.ntriples for g in graphs}),
        )
    if profiler is not None:
        profiler.stop()
        args.html.write_text(profiler.output_html(), encoding="utf-8")
    model = sum(spacy_times.values())
    added = {"layout_sentencizer", "entity_ruler", "acronym_ruler", "place_ruler"}
    trained = sum(t for n, t in spacy_times.items() if n not in added)
    count = len(articles)
    rows = [
        f"| {'spaCy' if name not in added else 'strike-kg'} | `{name}` "
        f"| {t / count * 1000:.2f} | {t / trained:.1%} |"
        for name, t in spacy_times.items()
    ] + [
        f"| strike-kg | {name} | {t / count * 1000:.2f} | {t / trained:.1%} |"
        for name, t in ours.items()
    ]
    extra = model - trained + sum(ours.values())
    body = "\n".join(
        [
            "## Profile of the ingest path",
            "",
            f"Machine: {machine()}.",
            "",
            f"`python bench/ingest_profile.py --articles {count}`: {count} distinct development "
            "articles through one process, one stage at a time. Milliseconds per article, and "
            "the share of the trained model's own time (its components as `spacy.load` gives "
            "them).",
            "",
            "| by | stage | ms/article | of the model's time |",
            "|---|---|---:|---:|",
            *rows,
            "",
            f"strike-kg adds **{extra / trained:.0%}** to the trained model's "
            f"{trained / count * 1000:.1f} ms per article.",
        ]
    )
    write_section("profile", body)
    print(body)


if __name__ == "__main__":
    main()
