"""Keras 2.2's text progress bar (`Progbar`), re-exported by utils/generic_utils.py."""
import sys
import time

import numpy as np


def _format_eta(seconds):
    """ETA as Keras prints it: '1:02:03', '2:03' or '45s'."""
    if seconds > 3600:
        return '%d:%02d:%02d' % (seconds // 3600, (seconds % 3600) // 60, seconds % 60)
    if seconds > 60:
        return '%d:%02d' % (seconds // 60, seconds % 60)
    return '%ds' % seconds


def _format_time_per_unit(time_per_unit):
    """Time per step in s, ms or us, as Keras 2.2 prints it after the bar is full."""
    if time_per_unit >= 1:
        return ' %.0fs/step' % time_per_unit
    if time_per_unit >= 1e-3:
        return ' %.0fms/step' % (time_per_unit * 1e3)
    return ' %.0fus/step' % (time_per_unit * 1e6)


class Progbar(object):
    """Displays a progress bar.

    # Arguments
        target: Total number of steps expected, None if unknown.
        width: Progress bar width on screen.
        verbose: Verbosity mode, 0 (silent), 1 (verbose), 2 (semi-verbose)
        stateful_metrics: Iterable of string names of metrics that
            should *not* be averaged over time. Metrics in this list
            will be displayed as-is. All others will be averaged
            by the progbar before display.
        interval: Minimum visual progress update interval (in seconds).

    # Example
    ```python
        bar = Progbar(100)
        for i in range(10):
            bar.add(10, values=[('loss', 0.5)])
    ```
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.stateful_metrics = set(stateful_metrics or [])
        # A terminal can redraw the line in place; a log file or notebook gets new lines.
        self._dynamic_display = ((hasattr(sys.stdout, 'isatty') and sys.stdout.isatty())
                                 or 'ipykernel' in sys.modules)
        self._total_width = 0
        self._seen_so_far = 0
        # name -> [weighted sum, count]; a stateful value is kept as [value, 1], so it prints
        # with the same number format as an average (Keras 2.2.4 does the same).
        self._values = {}
        self._start = time.time()
        self._last_update = 0

    def update(self, current, values=None):
        """Updates the progress bar.

        # Arguments
            current: Index of current step.
            values: List of tuples: `(name, value_for_last_step)`.
                If `name` is in `stateful_metrics`, `value_for_last_step` will be
                displayed as-is. Else, an average of the metric over time will be displayed.
        """
        self._accumulate(current, values or [])
        now = time.time()
        if self.verbose == 1:
            recently_drawn = now - self._last_update < self.interval
            if recently_drawn and self.target is not None and current < self.target:
                return
            self._draw_bar(current, now)
        elif self.verbose == 2:
            if self.target is None or current >= self.target:
                info = ' - %.0fs' % (now - self._start) + self._format_values(signed=False)
                sys.stdout.write(info + '\n')
                sys.stdout.flush()
        self._last_update = now

    def add(self, n, values=None):
        """Advances the bar by `n` steps."""
        self.update(self._seen_so_far + n, values)

    def _accumulate(self, current, values):
        """Weights each value by the steps since the last update, so averages are per sample."""
        steps = current - self._seen_so_far
        for name, value in values:
            if name in self.stateful_metrics:
                self._values[name] = [value, 1]
            elif name in self._values:
                self._values[name][0] += value * steps
                self._values[name][1] += steps
            else:
                self._values[name] = [value * steps, steps]
        self._seen_so_far = current

    def _format_values(self, signed=True):
        """' - loss: 0.1234 - acc: 0.5000' for every value seen so far.

        Keras 2.2.4's one-line-per-epoch mode (verbose=2) tests `average > 1e-3` rather than
        its magnitude, so a negative average prints in exponent form there: `signed=False`
        keeps that quirk.
        """
        info = ''
        for name, (total, count) in self._values.items():
            average = np.mean(total / max(1, count))
            magnitude = abs(average) if signed else average
            if magnitude > 1e-3:
                info += ' - %s: %.4f' % (name, average)
            else:
                info += ' - %s: %.4e' % (name, average)
        return info

    def _bar_text(self, current):
        """'  32/100 [=========>....................]' or '     32/Unknown'."""
        if self.target is None:
            return '%7d/Unknown' % current
        digits = int(np.floor(np.log10(self.target))) + 1 if self.target > 0 else 1
        bar = ('%' + str(digits) + 'd/%d [') % (current, self.target)
        filled = int(self.width * float(current) / self.target) if self.target > 0 else self.width
        filled = min(filled, self.width)
        if filled > 0:
            bar += '=' * (filled - 1)
            bar += '>' if current < self.target else '='
        bar += '.' * (self.width - filled)
        return bar + ']'

    def _draw_bar(self, current, now):
        """Redraws the one-line bar (verbose=1)."""
        previous_width = self._total_width
        if self._dynamic_display:
            sys.stdout.write('\b' * previous_width)
            sys.stdout.write('\r')
        else:
            sys.stdout.write('\n')
        bar = self._bar_text(current)
        self._total_width = len(bar)
        sys.stdout.write(bar)

        time_per_unit = (now - self._start) / current if current else 0
        if self.target is not None and current < self.target:
            info = ' - ETA: %s' % _format_eta(time_per_unit * (self.target - current))
        else:
            info = ' - %.0fs' % (now - self._start) + _format_time_per_unit(time_per_unit)
        info += self._format_values()
        self._total_width += len(info)
        if previous_width > self._total_width:
            info += ' ' * (previous_width - self._total_width)
        if self.target is not None and current >= self.target:
            info += '\n'
        sys.stdout.write(info)
        sys.stdout.flush()
