"""The engine's answers to connections' signals (connections/signals.py)."""
