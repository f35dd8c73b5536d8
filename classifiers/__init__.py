"""Classifiers: turn comment texts into ``crisis.domain.Labels``, a batch at a time.

``lexicon.LexiconClassifier`` ("lexicon.v1") is the rule-based baseline and the fallback when
no model is installed; its word lists live as data in ``classifiers/lexicons/*.toml``.
``outage.OutageClassifier`` ("outage.v1") puts linear heads on the frozen e5 encoder
(``encoder``, ``heads``, trained by ``training``). ``tuned.TunedClassifier`` ("outage.v2")
runs the same code with the encoder's top layers fine-tuned on all tasks at once
(``toplayers``, trained by ``finetune``, thresholds from ``choose``, scored by ``compare`` and
``card_v2``); ``germeval`` maps GermEval 2017 to our labels and ``realset`` reads the real-text
evaluation set and its folds; ``gpu`` runs the same training on a borrowed GPU.
"""
