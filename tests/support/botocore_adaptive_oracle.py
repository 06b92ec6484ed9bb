#!/usr/bin/python3
"""Replays events through botocore's own adaptive-retry classes and prints their state.

Input, one event a line: "send <t>" (a non-blocking token acquisition at time t) or
"response <t> <0|1>" (a response at t, 1 when throttled). Output, one line per event:
"send <took 0|1> <available>" or
"response <measured_rate> <send_rate> <w_max> <k> <last_fail> <enabled 0|1>", floats as repr.
Exits with 77 when botocore cannot be imported.
"""
import sys

try:
    from botocore.retries import adaptive, bucket, throttling
except ImportError:
    sys.exit(77)


class ScriptedClock:
    def __init__(self):
        self.now = 0.0

    def current_time(self):
        return self.now


class ScriptedThrottling:
    def is_throttling_error(self, **kwargs):
        return kwargs["throttled"]


def main():
    clock = ScriptedClock()
    lines = [line.split() for line in sys.stdin if line.strip()]
    if lines:
        clock.now = float(lines[0][1])
    cubic = throttling.CubicCalculator(starting_max_rate=0, start_time=clock.current_time())
    token_bucket = bucket.TokenBucket(max_rate=1, clock=clock)
    clocker = adaptive.RateClocker(clock)
    limiter = adaptive.ClientRateLimiter(
        rate_adjustor=cubic, rate_clocker=clocker, token_bucket=token_bucket,
        throttling_detector=ScriptedThrottling(), clock=clock)
    out = []
    for fields in lines:
        clock.now = float(fields[1])
        if fields[0] == "send":
            took = 1
            if limiter._enabled:
                try:
                    token_bucket.acquire(block=False)
                except bucket.CapacityNotAvailableError:
                    took = 0
            out.append("send %d %r" % (took, float(token_bucket.available_capacity)))
        else:
            limiter.on_receiving_response(throttled=fields[2] == "1")
            snapshot = cubic.get_params_snapshot()
            out.append("response %r %r %r %r %r %d" % (
                float(clocker.measured_rate), float(token_bucket.max_rate),
                float(snapshot.w_max), float(snapshot.k), float(snapshot.last_fail),
                1 if limiter._enabled else 0))
    print("\n".join(out))


main()
