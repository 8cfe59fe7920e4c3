"""Build versioned Anki packages from study notes, Obsidian flashcards and question dumps."""

__version__ = "0.1.0"
