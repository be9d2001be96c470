"""Writes of the tickets app. Each use case is a function `<entity>_<verb>(*, actor, ...)`."""
