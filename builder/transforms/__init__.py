"""Transforms between reading and packaging: render, tag, dedupe, identity."""
