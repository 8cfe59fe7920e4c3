"""Property and fuzz tests: no input crashes, hangs or makes a card with an empty side."""
