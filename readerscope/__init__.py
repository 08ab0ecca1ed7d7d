"""readerscope: who says what, to whom, with what feeling, about whom, in reader-comment threads."""

__version__ = "0.1.0"
