"""Classifiers: turn comment texts into ``crisis.domain.Labels``, a batch at a time.

``lexicon.LexiconClassifier`` ("lexicon.v1") is the rule-based baseline and the fallback when
no model is installed; its word lists live as data in ``classifiers/lexicons/*.toml``.
"""
