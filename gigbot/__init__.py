"""gigbot: a Telegram bot that turns a phone into a data-labelling workstation."""

__version__ = "0.1.0"
