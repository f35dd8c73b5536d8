"""The composition root: the one place where ``crisis`` meets ``classifiers`` and ``responders``.

Names are stable, versioned keys ("lexicon.v1") stored on what they produce. A failed lookup
says which names exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Generic, TypeVar

from sqlalchemy import Engine

from crisis.detector import SpikeRules
from crisis.errors import UnknownName
from crisis.pipeline import Pipeline
from crisis.protocols import Classifier, Clock, CommentSource, Publisher, Responder
from crisis.settings import Settings

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, Callable[[Settings], T]] = {}

    def register(self, name: str, factory: Callable[[Settings], T]) -> None:
        if name in self._factories:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self._factories[name] = factory

    def create(self, name: str, settings: Settings) -> T:
        try:
            factory = self._factories[name]
        except KeyError:
            raise UnknownName(self.kind, name, self._factories) from None
        return factory(settings)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._factories))


def _lexicon(settings: Settings) -> Classifier:
    from classifiers.lexicon import LexiconClassifier

    return LexiconClassifier()


def _templates(settings: Settings) -> Responder:
    from responders.templates import TemplateResponder

    return TemplateResponder(
        brand=settings.brand, status_url=settings.status_url, status_lang=settings.status_lang
    )


CLASSIFIERS: Registry[Classifier] = Registry("classifier")
CLASSIFIERS.register("lexicon.v1", _lexicon)
RESPONDERS: Registry[Responder] = Registry("responder")
RESPONDERS.register("templates.v1", _templates)


def make_source(spec: str) -> tuple[str, CommentSource]:
    """A source from ``--source`` text: ``file:PATH`` (X and Facebook come with connectors)."""
    kind, _, argument = spec.partition(":")
    if kind == "file" and argument:
        from crisis.connectors.files import FileSource

        source = FileSource(argument)
        return source.name, source
    raise UnknownName("source", spec, ["file:PATH"])


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


def build_pipeline(
    settings: Settings, *, engine: Engine, clock: Clock, publisher: Publisher
) -> Pipeline:
    return Pipeline(
        engine=engine,
        classifier=CLASSIFIERS.create(settings.classifier, settings),
        responder=RESPONDERS.create(settings.responder, settings),
        publisher=publisher,
        clock=clock,
        rules=spike_rules(settings),
        own_authors=tuple(settings.own_authors),
        status_url=settings.status_url,
        batch_size=settings.classify_batch_size,
    )
