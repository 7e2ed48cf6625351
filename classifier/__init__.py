"""Ticket classification for the 12345 hotline: pure ML, no database, no web.

Entry points: classifier.service (retrain, classify, ensure_model), classifier.store.ModelStore,
classifier.emergency.detect, classifier.similarity.find_similar. See docs/classifier.md.
"""
