"""The event-log layer: read, validate, profile, summarise and write event logs.

>>> from jxcsim.eventlog import read_event_log, summarize_log   # doctest: +SKIP
"""

from .errors import EventLogError, ProfileError
from .log import EventLog, LogFormat, RawLog
from .profile import LogProfile, dump_profile, load_profile, parse_profile
from .read import read_event_log
from .schema import ACTIVITY, CASE, RESOURCE, SEMANTIC, START, TIMESTAMP, Semantic, check_frame
from .summary import summarize_log
from .write import write_event_log

__all__ = [
    "ACTIVITY", "CASE", "RESOURCE", "SEMANTIC", "START", "TIMESTAMP",
    "EventLog", "EventLogError", "LogFormat", "LogProfile", "ProfileError", "RawLog", "Semantic",
    "check_frame", "dump_profile", "load_profile", "parse_profile", "read_event_log", "summarize_log",
    "write_event_log",
]
