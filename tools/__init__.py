"""Helpers shared by the models that are not themselves models."""
