-- wrk script of the benchmarks: at the end, one line "BENCH {json}" with the request count, the duration,
-- the errors and the latency percentiles wrk does not print itself (p95), all in microseconds.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"status_errors": %d, "timeouts": %d, "connect_errors": %d, "read_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status, e.timeout, e.connect, e.read + e.write))
end
