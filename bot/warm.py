"""Imported by the question workers' fork server (bot/workers.py) before it forks them: the answering
code, the lemmatiser's French and English dictionaries and the word tables (bot/wordlinks.py), loaded
once and shared by every worker.

A fork server outlives a bot killed outright (SIGKILL, OOM); on Linux it asks the kernel to end it
with its parent, and the workers it forks end with it (bot/workers.py)."""

import ctypes
import ctypes.util
import signal
import sys

import simplemma

import bot.knowledge  # noqa: F401 - imported for its side effect: the code every worker runs
from bot import wordlinks
from bot.answering import confidence

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def end_with_parent() -> None:
    """SIGKILL this process when its parent dies (Linux; elsewhere the workers' own watch remains)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


end_with_parent()
simplemma.lemmatize("maisons", lang="fr")
simplemma.is_known("houses", lang="en")
wordlinks.load()
confidence.model()
