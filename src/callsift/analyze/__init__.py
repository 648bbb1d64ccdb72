"""Language layer: lemmas, entities, military facts, watchlist flags, language choice."""
