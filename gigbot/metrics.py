"""What the bot counts for ``GET /metrics``: Prometheus series through prometheus-client.

The client library (the Prometheus project's own) keeps the series and writes the text format;
gigbot only says what to count. Every series starts with ``gigbot_``:

- ``gigbot_updates_total{kind}``: updates handled, by kind (message, callback_query, ...);
- ``gigbot_answers_recorded_total``: answers recorded (taps, multi-label sets, typed texts);
- ``gigbot_open_leases``: leases open now, read from the database at each scrape;
- ``gigbot_bot_api_calls_total{method}`` and ``gigbot_bot_api_errors_total{method,kind}``
  (kind: ``429``, ``4xx``, ``5xx``, ``timeout``, ``network``);
- ``gigbot_bot_api_rate_limited_total{method}``: 429 answers (also counted as errors);
- ``gigbot_send_queue_length``: sends waiting for the overall send budget;
- ``gigbot_broadcast_messages_total{outcome}``: broadcast deliveries by outcome;
- ``gigbot_tap_latency_seconds``: from the handler taking a tap to the next item on screen.

The series live in the process's default registry, so one process serves one set; several
processes are several scrape targets, as Prometheus expects.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

__all__ = [
    "ANSWERS_RECORDED",
    "API_CALLS",
    "API_ERRORS",
    "BROADCAST_MESSAGES",
    "OPEN_LEASES",
    "RATE_LIMITED",
    "SEND_QUEUE",
    "TAP_LATENCY",
    "UPDATES",
    "api_error_kind",
]

# A "_created" timestamp beside every counter doubles the text and tells an operator nothing.
disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped upstream

UPDATES = Counter("gigbot_updates", "Updates handled, by kind", ["kind"])
ANSWERS_RECORDED = Counter("gigbot_answers_recorded", "Answers recorded")
OPEN_LEASES = Gauge("gigbot_open_leases", "Leases open now")
API_CALLS = Counter("gigbot_bot_api_calls", "Bot API calls, by method", ["method"])
API_ERRORS = Counter(
    "gigbot_bot_api_errors", "Bot API calls that failed, by method and kind", ["method", "kind"]
)
RATE_LIMITED = Counter(
    "gigbot_bot_api_rate_limited", "Bot API calls answered 429, by method", ["method"]
)
SEND_QUEUE = Gauge("gigbot_send_queue_length", "Sends waiting for the overall send budget")
BROADCAST_MESSAGES = Counter(
    "gigbot_broadcast_messages", "Broadcast deliveries, by outcome", ["outcome"]
)
TAP_LATENCY = Histogram(
    "gigbot_tap_latency_seconds",
    "From the handler taking a tap to the next item on screen",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def api_error_kind(status: int) -> str | None:
    """The error kind of a Bot API status code, or None for a success."""
    if status < 400:
        return None
    if status == 429:
        return "429"
    return "5xx" if status >= 500 else "4xx"
