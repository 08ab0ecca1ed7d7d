"""readerscope: who says what, to whom, with what feeling, about whom, in reader-comment threads.

The repository root is the ``readerscope`` package: ``comments/`` is ``readerscope.comments``,
``analysis/stance/`` is ``readerscope.analysis.stance``, and so on, so every import names the
folder it reads (inside the package, imports are relative: ``from ..comments import Corpus``).
Data flows comments -> analysis -> figures; ``cli/`` renders what those return.
"""

__version__ = "0.1.0"
