"""A model module that fails to import: load() warns once and skips it."""

raise ImportError("this toy module is broken on purpose")
