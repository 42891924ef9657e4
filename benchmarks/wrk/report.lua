-- Shared by the scenario scripts: one machine-readable line at the end of a wrk run, read by benchmarks/lib.sh.
-- wrk counts every response with status > 399 in errors.status; requests counts every response received.
function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "RESULT requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d\n",
      summary.requests, e.status, e.connect, e.read, e.write, e.timeout, summary.duration,
      latency:percentile(50.0), latency:percentile(99.0), latency.max))
end
