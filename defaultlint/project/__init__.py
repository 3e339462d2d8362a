"""Files, configuration, targets, cache, notebooks: the core applied to a project on disk."""
