"""The composition root: the one place where ``crisis`` meets ``classifiers`` and ``responders``.

Names are stable, versioned keys ("lexicon.v1") stored on what they produce. A failed lookup
says which names exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import Engine

from crisis.alerts.dispatch import make_dispatcher
from crisis.detection.detector import SpikeRules
from crisis.errors import ConfigError, NotConfigured, UnknownName
from crisis.pipeline import Pipeline
from crisis.protocols import Classifier, Clock, CommentSource, Publisher, ReplyPolicy, Responder
from crisis.replies.respond import ReplySetup
from crisis.settings import Settings, get_settings

if TYPE_CHECKING:
    from crisis.publishing import ChannelPublisher

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, Callable[[Settings], T]] = {}

    def register(self, name: str, factory: Callable[[Settings], T]) -> None:
        if name in self._factories:
            raise ConfigError(f"{self.kind} {name!r} is registered twice")
        self._factories[name] = factory

    def create(self, name: str, settings: Settings) -> T:
        try:
            factory = self._factories[name]
        except KeyError:
            raise UnknownName(self.kind, name, self._factories) from None
        return factory(settings)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._factories))

    def __contains__(self, name: object) -> bool:
        return name in self._factories


def _lexicon(settings: Settings) -> Classifier:
    from classifiers.lexicon import LexiconClassifier

    return LexiconClassifier()


def _outage(settings: Settings) -> Classifier:
    """outage.v1: heads on the frozen encoder (``models/outage.v1``, or CRISIS_MODEL_DIR)."""
    from classifiers.outage import BUNDLED

    return _load_outage(settings.model_dir or BUNDLED, settings.encoder, settings.cache_dir)


def _outage_v2(settings: Settings) -> Classifier:
    """outage.v2, the default: the encoder's top layers fine-tuned (``models/outage.v2``)."""
    from classifiers.tuned import BUNDLED_V2

    return _load_outage(settings.model_dir or BUNDLED_V2, settings.encoder, settings.cache_dir)


@lru_cache(maxsize=4)
def _load_outage(model_dir: Path | None, encoder: str | None, cache_dir: Path | None) -> Classifier:
    """Once per process: loading the encoder takes seconds and a gigabyte. The directory says
    which model it is (tuned layers make it a v2)."""
    from classifiers.tuned import BUNDLED_V2, load_model

    return load_model(
        model_dir or BUNDLED_V2,
        encoder_spec=encoder,
        cache_dir=cache_dir / "encoders" if cache_dir else None,
    )


def _templates(settings: Settings) -> Responder:
    from responders.templates import TemplateResponder

    return TemplateResponder(
        overrides_dir=settings.templates_dir,
        brand=settings.brand,
        status_url=settings.status_url,
        status_lang=settings.status_lang,
        address_form=settings.address_form,
        page_lang=settings.page_lang,
    )


def reply_wordings(
    settings: Settings,
) -> tuple[dict[str, dict[str, list[str]]], dict[str, set[str]]]:
    """The templates responder's wordings by language and situation, as written, and the
    situations edited in ``CRISIS_TEMPLATES_DIR``."""
    from responders import overrides

    return overrides.wordings(settings.templates_dir), overrides.edited(settings.templates_dir)


def save_reply_wording(
    settings: Settings, *, lang: str, situation: str, number: int, text: str
) -> str | None:
    """Check and save an edited wording (see ``responders.overrides``); returns the old text."""
    from responders import overrides

    return overrides.save_wording(
        _templates_dir(settings), lang=lang, situation=situation, number=number, text=text,
        brand=settings.brand,
    )  # fmt: skip


def reset_reply_situation(settings: Settings, *, lang: str, situation: str) -> list[str]:
    from responders import overrides

    return overrides.reset_situation(_templates_dir(settings), lang=lang, situation=situation)


def _templates_dir(settings: Settings) -> Path:
    if settings.templates_dir is None:
        raise ConfigError(
            "set CRISIS_TEMPLATES_DIR to a folder the web app may write to, to edit wordings there"
        )
    return settings.templates_dir


CLASSIFIERS: Registry[Classifier] = Registry("classifier")
CLASSIFIERS.register("lexicon.v1", _lexicon)
CLASSIFIERS.register("outage.v1", _outage)
CLASSIFIERS.register("outage.v2", _outage_v2)
RESPONDERS: Registry[Responder] = Registry("responder")
RESPONDERS.register("templates.v1", _templates)


def _x_source(settings: Settings) -> CommentSource:
    from crisis.connectors import x

    return x.make_source(settings)


def _facebook_source(settings: Settings) -> CommentSource:
    from crisis.connectors import facebook

    return facebook.make_source(settings)


# Platform sources, by the name ``--source`` takes; ``file:PATH`` is handled by make_source.
SOURCES: Registry[CommentSource] = Registry("source")
SOURCES.register("x", _x_source)
SOURCES.register("facebook", _facebook_source)


def make_source(spec: str, settings: Settings | None = None) -> tuple[str, CommentSource]:
    """A source and the name its cursor is kept under, from ``--source`` text:
    ``x``, ``facebook`` or ``file:PATH``."""
    kind, _, argument = spec.partition(":")
    if kind == "file" and argument:
        from crisis.connectors.files import FileSource

        source = FileSource(argument)
        return source.name, source
    if spec not in SOURCES:
        raise UnknownName("source", spec, [*SOURCES, "file:PATH"])
    platform = SOURCES.create(spec, settings or get_settings())
    return str(getattr(platform, "name", spec)), platform


def _channels(settings: Settings) -> ChannelPublisher:
    from crisis.connectors import facebook, x
    from crisis.publishing import ChannelPublisher

    return ChannelPublisher(
        {
            "x": lambda: x.make_publisher(settings),
            "facebook": lambda: facebook.make_publisher(settings),
        }
    )


def make_publisher(settings: Settings, *, engine: Engine, clock: Clock) -> Publisher:
    """The real publisher: each channel's platform client, each post published at most once."""
    from crisis.publishing import OnceOnlyPublisher

    return OnceOnlyPublisher(_channels(settings), engine=engine, clock=clock)


def unpublishable(settings: Settings, channels: Iterable[str]) -> dict[str, str]:
    """Why each of ``channels`` cannot be published to now (missing credentials, no such
    platform), by channel; the ones that can are left out. Builds clients, calls nothing."""
    publishers = _channels(settings)
    problems: dict[str, str] = {}
    for channel in sorted(set(channels)):
        try:
            publishers.ready(channel)
        except NotConfigured as exc:
            problems[channel] = exc.reason
        except UnknownName as exc:
            problems[channel] = str(exc)
    return problems


def reply_policy() -> ReplyPolicy:
    from responders.policy import decide

    return decide


def reply_setup(settings: Settings) -> ReplySetup:
    """The responder and policy with who we are: what the queue re-renders with."""
    return ReplySetup(
        responder=RESPONDERS.create(settings.responder, settings),
        policy=reply_policy(),
        own_authors=tuple(settings.own_authors),
        bot_accounts=tuple(settings.bot_accounts),
        status_url=settings.status_url,
        page_lang=settings.page_lang,
        lookback=timedelta(minutes=settings.incident_lookback_minutes),
    )


def spike_rules(settings: Settings) -> SpikeRules:
    return SpikeRules(
        window=timedelta(minutes=settings.spike_window_minutes),
        min_complaints=settings.spike_min_complaints,
        ratio=settings.spike_ratio,
        history=timedelta(days=settings.spike_history_days),
        persistence=timedelta(minutes=settings.spike_persistence_minutes),
        cooldown=timedelta(minutes=settings.spike_cooldown_minutes),
        prior_per_window=settings.spike_prior_per_window,
        fast_window=(
            timedelta(minutes=settings.spike_fast_window_minutes)
            if settings.spike_fast_window_minutes
            else None
        ),
        significance=settings.spike_significance,
    )


def build_pipeline(settings: Settings, *, engine: Engine, clock: Clock) -> Pipeline:
    return Pipeline(
        engine=engine,
        classifier=CLASSIFIERS.create(settings.classifier, settings),
        clock=clock,
        replies=reply_setup(settings),
        rules=spike_rules(settings),
        batch_size=settings.classify_batch_size,
        alerts=make_dispatcher(settings, engine=engine, clock=clock),
    )


def train_model(
    data: list[Path],
    out: Path,
    *,
    name: str,
    encoder: str,
    quantize: bool,
    max_rows: int | None,
    cache_dir: Path | None,
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    from classifiers.training import TrainOptions, train

    options = TrainOptions(
        name=name,
        encoder=encoder,
        quantize=quantize,
        max_rows=max_rows,
        cache_dir=cache_dir / "encoders" if cache_dir else None,
    )
    return train(data, out, options, progress=progress)


def evaluate_model(
    settings: Settings, model_dir: Path, data: Path, *, write_card: bool
) -> tuple[Any, Any, str]:
    """Scores of the model in ``model_dir`` and of the lexicon baseline on held-out ``data``."""
    from classifiers import corpora
    from classifiers.evaluation import evaluate
    from classifiers.lexicon import LexiconClassifier
    from classifiers.modelcard import update_section

    corpus = corpora.load(data)
    rows = [e for e in corpus.examples if e.split == "test"]
    texts = [e.text for e in rows]
    classifier = _load_outage(model_dir, settings.encoder, settings.cache_dir)
    results = evaluate(rows, classifier.classify(texts))
    baseline = evaluate(rows, LexiconClassifier().classify(texts))
    if write_card:
        update_section(model_dir, corpus.name, results, baseline)
    return results, baseline, corpus.name


def finetune_model(
    data: list[Path],
    out: Path,
    *,
    name: str,
    max_rows: int | None,
    epochs: int,
    cache_dir: Path | None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Any:
    """outage.v2's recipe: fine-tune the encoder's top layers with the heads (multi-task), then
    refit the heads with the real set's folds and choose thresholds and rules on them."""
    from classifiers.finetune import FinetuneOptions, finetune
    from classifiers.refit import refit

    options = FinetuneOptions(
        name=name,
        epochs=epochs,
        max_rows=max_rows,
        cache_dir=cache_dir / "encoders" if cache_dir else None,
    )
    trained = finetune(data, out, options, progress=progress)
    refit(data, out)
    return trained


def classify_file(
    settings: Settings,
    source: Path,
    out: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    from classifiers.batchfile import classify_file as run

    classifier = CLASSIFIERS.create(settings.classifier, settings)
    return run(classifier, source, out, progress=progress)


def make_web_app(settings: Settings, *, engine: Engine, clock: Clock) -> Any:
    """The web app (a FastAPI app) for ``crisis serve``: the command line never imports the web
    app itself, the two front ends meet only here."""
    from crisis.web.app import create_app

    return create_app(settings, engine=engine, clock=clock)
