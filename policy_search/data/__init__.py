"""Domain knowledge as data files (word lists, gazetteer, rules); ``DATA_DIR`` locates them."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
