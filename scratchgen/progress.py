"""One progress bar for every long loop (training, sampling, the CLI).

``progress_bar(total, enabled, desc)`` is a ``tqdm`` bar on stderr when
``enabled``, else a stand-in with the same methods (``update``,
``set_postfix``, ``close``, iteration) that does nothing, so a loop is
written once whether or not a person is watching. ``tqdm`` is imported only
when a bar is shown (it is needed for the display only).
"""

__all__ = ["progress_bar"]


class _NoBar:
    """What ``progress_bar`` returns when disabled: iterates, updates nothing."""

    def __init__(self, iterable=None):
        self._iterable = iterable

    def __iter__(self):
        return iter(self._iterable if self._iterable is not None else ())

    def update(self, n=1):
        pass

    def set_postfix(self, **kwargs):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def progress_bar(total=None, enabled=True, desc=None, unit="it", initial=0, iterable=None,
                 leave=True):
    """A tqdm bar of ``total`` steps on stderr, or a do-nothing stand-in when not ``enabled``.

    iterable: wrap it (``for x in progress_bar(iterable=range(n), ...)``);
    total defaults to its length. initial: steps already done (a resumed
    run); leave: keep the finished bar on screen.
    """
    if not enabled:
        return _NoBar(iterable)
    from tqdm.auto import tqdm
    return tqdm(iterable, total=total, initial=initial, desc=desc, unit=unit, leave=leave,
                dynamic_ncols=True)
