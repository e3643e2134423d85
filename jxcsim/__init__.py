"""jxcsim: simulation and process-mining workbench for purchase-sales-inventory operations.

The event-log layer is the entry point for most work::

    >>> from jxcsim.eventlog import read_event_log   # doctest: +SKIP
    >>> log = read_event_log("orders.csv")            # doctest: +SKIP
"""

__version__ = "0.1.0"
