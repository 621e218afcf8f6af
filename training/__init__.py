"""Training side of finmatch: datasets, synthetic history, ranker fitting."""
