"""The ``jxcsim`` command line. Commands only parse options and call the package's API."""

from __future__ import annotations

import json
import math
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .eventlog import EventLog, EventLogError, LogFormat, read_event_log, summarize_log, write_event_log
from .eventlog.summary import reason_kind, render_summary
from .memory import use_for_process

app = typer.Typer(help="jxcsim: simulation and process mining for purchase-sales-inventory operations.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

FormatOption = Enum("FormatOption", {f.name: f.value for f in LogFormat}, type=str)  # type: ignore[misc]


def _fail(exc: Exception) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(code=2)


def _fail_write(exc: OSError, path: Path) -> None:
    """An output that cannot be written: one line naming it, exit 2."""
    _fail(OSError(f"cannot write {exc.filename or path}: {exc.strerror or exc}"))


def _blocking_file(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` when it is not a directory (so ``path`` cannot be made)."""
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def _out_dir(out: Path, option: str = "--out") -> None:
    """Refuse an output directory that is a file, or lies under one, before any work is done."""
    if out.exists() and not out.is_dir():
        _fail(OSError(f"{option} {out} is a file, not a directory; give a directory (it is created when "
                      f"missing)"))
    blocking = _blocking_file(out)
    if blocking is not None:
        _fail(OSError(f"{option} {out}: {blocking} is a file, not a directory, so {out} cannot be created; "
                      f"give a directory elsewhere"))


def _out_file(path: Path | None, option: str, example: str) -> None:
    """Refuse an output file that is a directory, or lies under a file, before any work is done."""
    if path is None:
        return
    if path.is_dir():
        _fail(OSError(f"{option} {path} is a directory; give a file name (e.g. {path / example})"))
    blocking = _blocking_file(path)
    if blocking is not None:
        _fail(OSError(f"{option} {path}: {blocking} is a file, not a directory, so {path} cannot be written; "
                      f"give a path elsewhere"))


def _finite(value: float | None) -> float | None:
    """Refuse nan and infinity, which a range check lets through and ``findings.json`` cannot hold."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a finite number")
    return value


def _rate(value: float) -> float:
    """A false discovery rate: a number from 0 to 1 (nan is named as such, not as out of range)."""
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise typer.BadParameter(f"{value} is not a rate from 0 to 1")
    return value


def _hours_above_zero(value: float | None) -> float | None:
    """A grace period: a finite number of hours above 0 (at 0 every unposted movement is never posted)."""
    if value is not None and not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"{value} is not a number of hours above 0")
    return value


def _check_weeks(weeks: int, start: date) -> None:
    """Refuse a run that would end past the last day pandas' timestamps hold (2262-04-11)."""
    import pandas as pd

    most = (pd.Timestamp.max.date() - start).days // 7 - 52  # a year's margin for what falls due after the run
    if weeks > most:
        raise typer.BadParameter(f"{weeks:,} weeks from the scenario's start ({start}) run past "
                                 f"{pd.Timestamp.max.year}, the last year the log's timestamps can hold; "
                                 f"give at most {max(most, 0):,}", param_hint="'--weeks'")


@app.callback()
def main() -> None:
    """Read, check and convert event logs; simulate, compare and diagnose."""
    use_for_process()  # memory settings for heavy work, for the command's whole process (see jxcsim.memory)


@app.command()
def inspect(
    source: Annotated[str, typer.Argument(help="Log file (CSV, XES, OCEL 1.0/2.0; .gz welcome) or database URL.")],
    profile: Annotated[Optional[Path], typer.Option(help="Log profile (YAML) mapping columns and activities.")] = None,
    format: Annotated[Optional[FormatOption], typer.Option("--format", help="Override format detection.")] = None,
    object_type: Annotated[Optional[str], typer.Option(help="OCEL object type to flatten on.")] = None,
    table: Annotated[Optional[str], typer.Option(help="Database table holding the events.")] = None,
    query: Annotated[Optional[str], typer.Option(help="SELECT query returning the events.")] = None,
    quarantine_out: Annotated[Optional[Path], typer.Option(help="Write quarantined rows to this CSV.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")] = False,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
) -> None:
    """Summarise a log: cases, events, activities, resources, time span, weekday x hour, quarantine."""
    _out_file(quarantine_out, "--quarantine-out", "quarantine.csv")
    try:
        log = read_event_log(source, profile=profile, format=format.value if format else None,
                             object_type=object_type, table=table, query=query,
                             progress=not no_progress and not as_json and sys.stderr.isatty())
        if quarantine_out is not None:
            log.write_quarantine(quarantine_out)
    except EventLogError as exc:
        _fail(exc)
    except OSError as exc:
        _fail_write(exc, quarantine_out)
    summary = summarize_log(log)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        typer.echo(render_summary(summary))


@app.command()
def convert(
    log: Annotated[str, typer.Argument(help="Input log (any readable format).")],
    out: Annotated[Path, typer.Argument(help="Output: .csv[.gz], .xes[.gz], or OCEL 2.0 .sqlite/.jsonocel/.xmlocel.")],
    profile: Annotated[Optional[Path], typer.Option(help="Log profile (YAML) for the input.")] = None,
    format: Annotated[Optional[FormatOption], typer.Option("--format", help="Override input format detection.")] = None,
    object_type: Annotated[Optional[str], typer.Option(help="OCEL object type to flatten on.")] = None,
    table: Annotated[Optional[str], typer.Option(help="Database table holding the events.")] = None,
    query: Annotated[Optional[str], typer.Option(help="SELECT query returning the events.")] = None,
    quarantine_out: Annotated[Optional[Path], typer.Option(help="Write quarantined rows to this CSV.")] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
) -> None:
    """Convert a log between CSV, XES and OCEL 2.0 (OCEL to OCEL keeps every object)."""
    _out_file(out, "OUT", Path(log).name if "://" not in log else "log.csv")
    _out_file(quarantine_out, "--quarantine-out", "quarantine.csv")
    try:
        from .eventlog.formats import detect_format
        from .eventlog.write import output_format

        src_fmt = detect_format(log, format.value if format else None)
        dst_fmt = output_format(out)
        if src_fmt.is_ocel and dst_fmt.is_ocel and not (table or query):
            from .eventlog.ocel import convert_ocel

            given = [name for name, value in (("--profile", profile), ("--object-type", object_type),
                                              ("--quarantine-out", quarantine_out)) if value is not None]
            if given:
                verb, it = ("does", "it") if len(given) == 1 else ("do", "them")
                raise EventLogError(f"{' and '.join(given)} {verb} not apply to OCEL to OCEL conversion, which keeps "
                                    f"every event and object as it is; drop {it}, or convert to CSV or XES to "
                                    f"flatten the log on one object type", path=log)

            written = convert_ocel(Path(log), src_fmt, out)
            typer.echo(f"wrote {written}")
            return
        read = read_event_log(log, profile=profile, format=src_fmt, object_type=object_type, table=table,
                              query=query, progress=not no_progress and sys.stderr.isatty())
        if read.rows_accepted == 0:  # as diagnose: an empty output would pass for a conversion
            from .eventlog.summary import describe_rows

            for note in read.notes:
                typer.echo(f"note: {note}", err=True)
            where = "--quarantine-out FILE writes the rows and their reasons"
            if quarantine_out is not None and len(read.quarantine):
                where = f"the rows and their reasons are in {read.write_quarantine(quarantine_out)}"
            raise EventLogError(f"no row was accepted, nothing to convert ({out} not written): "
                                f"{describe_rows(read)}; {where}", path=log)
        written = write_event_log(read, out)
        if quarantine_out is not None:
            read.write_quarantine(quarantine_out)
    except EventLogError as exc:
        _fail(exc)
    except OSError as exc:
        _fail_write(exc, out)
    from .eventlog.words import counted

    typer.echo(f"wrote {written}: {counted(len(read.frame), 'activity instance')}, "
               f"{counted(read.frame['case:concept:name'].nunique(), 'case')}; "
               f"{counted(len(read.quarantine), 'row')} quarantined")


@app.command()
def simulate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML (e.g. scenarios/baseline.yaml).")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the log, profile, truth and KPIs.")],
    change: Annotated[Optional[list[Path]], typer.Option("--change", help="What-if overlay; repeat for several.")] = None,
    weeks: Annotated[int, typer.Option(help="Simulated weeks.", min=1)] = 13,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same log).", min=0)] = 0,
    formats: Annotated[str, typer.Option(help="Comma-separated log formats: csv, xes, ocel.")] = "csv,xes,ocel",
    replications: Annotated[int, typer.Option(help="Independent runs from the seed (SeedSequence.spawn); "
                                              "each in OUT/replication-NN, KPIs side by side in "
                                              "OUT/replications.json.", min=1)] = 1,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
) -> None:
    """Simulate a scenario: write log.csv/.xes.gz/.ocel.sqlite, profile.yaml, truth/ and kpis.json."""
    from .world.replications import render_replications, run_replications_and_write
    from .world.scenario import ScenarioError, inert_habits, load_scenario
    from .world.simulate import run_and_write

    _out_dir(out)
    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = set(chosen) - {"csv", "xes", "ocel"}
    if unknown:
        _fail(ValueError(f"unknown log format(s): {', '.join(sorted(unknown))} (choose from csv, xes, ocel)"))
    try:
        sc = load_scenario(scenario, changes=list(change or []))
    except ScenarioError as exc:
        _fail(exc)
    _check_weeks(weeks, sc.start)
    for note in inert_habits(sc):
        typer.echo(f"note: {note}", err=True)
    progress = not no_progress and sys.stderr.isatty()
    try:
        if replications > 1:
            files, summary = run_replications_and_write(sc, out, weeks=weeks, seed=seed, n=replications,
                                                        formats=chosen, progress=progress)
        else:
            written, kpis = run_and_write(sc, out, weeks=weeks, seed=seed, formats=chosen, progress=progress)
    except ScenarioError as exc:  # e.g. a role the world needs has nobody in it
        _fail(ScenarioError(f"{scenario}: {exc}"))
    except OSError as exc:
        _fail(OSError(f"{exc.filename or out}: {exc.strerror or exc}"))
    if replications > 1:
        typer.echo(render_replications(summary))
        typer.echo(f"wrote {replications} replications under {out} (replication-*/), and {out / 'replications.json'}")
        return
    from .kpi.summary import render_kpis

    typer.echo(render_kpis(kpis))
    for name in written:
        typer.echo(f"wrote {out / name}")


@app.command()
def compare(
    baseline: Annotated[Path, typer.Argument(help="The baseline's output directory (jxcsim simulate --out).")],
    what_if: Annotated[Path, typer.Argument(help="The what-if's output directory (same seed and weeks).")],
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Also write the comparison as JSON here.")] = None,
) -> None:
    """Compare a what-if run against its baseline: every KPI, the change, and whether it is better or worse."""
    from .kpi.compare import CompareError, compare_kpis, read_run, render_comparison

    _out_file(json_out, "--json", "comparison.json")
    try:
        result = compare_kpis(read_run(baseline), read_run(what_if))
    except CompareError as exc:
        _fail(exc)
    typer.echo(render_comparison(result))
    if json_out is not None:
        try:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        except OSError as exc:
            _fail_write(exc, json_out)
        typer.echo(f"wrote {json_out}")


@app.command()
def diagnose(
    log: Annotated[str, typer.Argument(help="Log to diagnose (any readable format) or database URL.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for findings.json and report.html.")],
    profile: Annotated[Optional[Path], typer.Option(help="Log profile (YAML): columns and activity semantics.")] = None,
    format: Annotated[Optional[FormatOption], typer.Option("--format", help="Override format detection.")] = None,
    object_type: Annotated[Optional[str], typer.Option(help="OCEL object type to flatten on.")] = None,
    table: Annotated[Optional[str], typer.Option(help="Database table holding the events.")] = None,
    query: Annotated[Optional[str], typer.Option(help="SELECT query returning the events.")] = None,
    fdr: Annotated[float, typer.Option(help="False discovery rate of the tests (Benjamini-Hochberg), 0 to 1.",
                                       callback=_rate)] = 0.05,
    min_obs: Annotated[int, typer.Option(help="Cases a weekday x hour cell needs to be tested.", min=2)] = 10,
    min_effect_h: Annotated[float, typer.Option(help="Smallest median lag (h) a window must reach.", min=0.0,
                                                callback=_finite)] = 0.5,
    effect_factor: Annotated[float, typer.Option(help="A window's median lag must also reach this times the "
                                                      "median outside it.", min=1.0, callback=_finite)] = 2.0,
    grace_h: Annotated[Optional[float], typer.Option(help="Hours (above 0) after which an unposted movement counts "
                                                          "as never posted (default: max(24, p99 of the delays)).",
                                                     callback=_hours_above_zero)] = None,
    full: Annotated[bool, typer.Option("--full", help="Run pm4py's expensive views (alignments, temporal profile, "
                                                      "model) on every case, not a seeded sample.")] = False,
    no_overview: Annotated[bool, typer.Option("--no-overview", help="Skip the process map, model and "
                                                                    "conformance views (pm4py).")] = False,
    truth: Annotated[Optional[Path], typer.Option(help="A simulated run's truth/planted.json: score the findings "
                                                       "against what was planted (truth_score.json, a report "
                                                       "section).")] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
) -> None:
    """Find where the process waits and where book and shelf part ways: findings.json, report.html, figures/."""
    from .mining.diagnose import NOT_MAPPED, DiagnosisSettings, diagnose_log
    from .mining.truth import PlantedFileError, read_planted

    show = not no_progress and sys.stderr.isatty()
    _out_dir(out)
    planted = None
    if truth is not None:
        try:
            planted = read_planted(truth)
        except PlantedFileError as exc:
            _fail(exc)
    else:
        beside = Path(log).parent / "truth" / "planted.json"
        if "://" not in log and beside.is_file():
            typer.echo(f"note: {beside} is beside the log: add --truth {beside} to score the findings against "
                       "what the simulation planted", err=True)
    try:
        read = read_event_log(log, profile=profile, format=format.value if format else None, object_type=object_type,
                              table=table, query=query, progress=show)
        _report_rows(read, out)
    except EventLogError as exc:
        _fail(exc)
    except OSError as exc:
        _fail_write(exc, out)
    settings = DiagnosisSettings(fdr=fdr, min_obs=min_obs, min_effect_h=min_effect_h, effect_factor=effect_factor,
                                 grace_h=grace_h)
    if profile is None and read.timezone == "+00:00":  # offsets in the log, all UTC (naive times are wall-clock)
        typer.echo(_utc_note(log), err=True)
    try:
        written = diagnose_log(read, out, settings=settings, overview=not no_overview, full=full, progress=show,
                               truth=planted, truth_source=str(truth))
    except OSError as exc:
        _fail_write(exc, out)
    findings = json.loads(written["findings.json"].read_text(encoding="utf-8"))["findings"]
    typer.echo(f"{len(findings)} finding(s) in {read.source}")
    for rank, f in enumerate(findings[:10], start=1):
        typer.echo(f"{rank:>3}. [{f['kind']}] {f['summary']}")
    if planted is not None:
        _echo_truth_score(json.loads(written["truth_score.json"].read_text(encoding="utf-8")))
    not_run = json.loads(written["findings.json"].read_text(encoding="utf-8"))["meta"].get("not_run") or {}
    for name, why in not_run.items():
        mapping = why.startswith(NOT_MAPPED)  # a profile would cure it (else the log holds no such events)
        cure = "in the profile" if profile is not None else "in a profile: --profile"
        hint = f"; map the log's activities {cure}, docs/profiles.md" if mapping else ""
        typer.echo(f"not run: {name} ({why}{hint})")
    figures = [p for name, p in written.items() if name.startswith("figures/")]
    for name, path in written.items():
        if not name.startswith("figures/"):
            typer.echo(f"wrote {path}")
    if figures:
        typer.echo(f"wrote {len(figures)} figure(s) under {figures[0].parent}")


def _echo_truth_score(score: dict) -> None:
    """The score against the planted truth: the summary, then each habit missed and each false alarm."""
    from .report.truth import truth_summary, when_text

    typer.echo(f"against the planted truth ({score['source']}): {truth_summary(score)}")
    if score.get("note"):
        typer.echo(f"note: {score['note']}", err=True)
    partial = {(p["name"], p.get("location")): p for p in score.get("partial") or []}
    for miss in score["misses"]:
        where = f" at {miss['location']}" if miss.get("location") else ""
        part = partial.get((miss["name"], miss.get("location")))
        how = f"found in part only (#{part['rank']})" if part else "missed"
        when = when_text(miss.get("weekdays"), miss.get("hours"))
        typer.echo(f"  {how}: {miss['name']} ({miss['kind']}){where}, {when}")
    for rank, summary in zip(score["false_alarm_ranks"], score["false_alarm_summaries"], strict=True):
        typer.echo(f"  false alarm #{rank}: {summary}")


def _report_rows(read: EventLog, out: Path) -> None:
    """Print the log's notes, and when rows were quarantined the counts, the top reasons and where
    the rows are (``OUT/quarantine.csv``); a log of which no row was accepted is an error."""
    for note in read.notes:
        typer.echo(f"note: {note}", err=True)
    stale = out / "quarantine.csv"
    if not len(read.quarantine):
        stale.unlink(missing_ok=True)  # from an earlier run of another log
        return
    kinds = read.quarantine["reason"].map(reason_kind).value_counts()
    top = "; ".join(f"{n:,} {kind}" for kind, n in kinds.head(3).items()) + ("; …" if len(kinds) > 3 else "")
    path = read.write_quarantine(out / "quarantine.csv")
    counts = f"{read.rows_read:,} read = {read.rows_accepted:,} accepted + {len(read.quarantine):,} quarantined ({top})"
    if read.rows_accepted == 0:
        raise EventLogError(f"no row was accepted, nothing to diagnose: {counts}; the rows and their reasons are "
                            f"in {path}", path=read.source)
    typer.echo(f"rows: {counts}; quarantined rows in {path}")


def _utc_note(log: str) -> str:
    """Why a log with UTC times and no profile is diagnosed on UTC weekdays and hours, and how to change it."""
    beside = Path(log).parent / "profile.yaml" if "://" not in log else None
    cure = (f"the profile beside it gives the zone: --profile {beside}" if beside is not None and beside.is_file()
            else "a profile with `timezone:` (e.g. Asia/Shanghai) gives local ones: --profile, docs/profiles.md")
    return (f"note: the log's times are UTC (+00:00), so weekdays and hours are read in UTC, not local time; {cure}")


if __name__ == "__main__":  # pragma: no cover
    app()
