#!/bin/sh
# Demo payload run by LocalSubmitter for the jobs of etc/demo/wms-jobs.json.
#
#   payload.sh INPUT OUTPUT [SECONDS] [EXIT_CODE]
#
# Runs in the worker's access point (its working directory), where the
# shared-file messenger put the job spec (HPCJobs.json) and a link named INPUT
# to the file the local-copy preparator staged in. Like a real payload it:
#   - reads INPUT and writes OUTPUT (a word count and the upper-cased text),
#   - writes jobReport.json (sent upstream as the job's metaData),
#   - lists OUTPUT in event_status.dump.json, which is how harvester learns
#     which files to stage out (size and adler32 are computed by harvester),
#   - exits with EXIT_CODE (default 0): non-zero fails the job upstream.
# SECONDS (default 1) of "work" let the progress line show running jobs.
# With DEMO_MARKER set (tests), one line "<PandaID> <start time>" is appended
# to that file, so a test can prove each payload ran exactly once.
set -eu

in=${1:?usage: payload.sh INPUT OUTPUT [SECONDS] [EXIT_CODE]}
out=${2:?usage: payload.sh INPUT OUTPUT [SECONDS] [EXIT_CODE]}
seconds=${3:-1}
code=${4:-0}
id=${PandaID:-unknown}

if [ -n "${DEMO_MARKER:-}" ]; then
  echo "$id $(date +%s)" >> "$DEMO_MARKER"
fi
echo "PandaID $id: reading $in, writing $out (${seconds}s of work)"

if [ ! -r "$in" ]; then
  echo "PandaID $id: input $in is not readable" >&2
  exit 66
fi

sleep "$seconds"

{
  echo "PandaID $id processed $in"
  echo "words: $(wc -w < "$in" | tr -d ' ')"
  tr '[:lower:]' '[:upper:]' < "$in"
} > "$out.tmp"
mv "$out.tmp" "$out"

cat > jobReport.json <<REPORT
{"exitCode": $code, "exitMsg": "$( [ "$code" -eq 0 ] && echo OK || echo "demo payload asked to fail" )", "input": "$in", "output": "$out"}
REPORT

cat > event_status.dump.json <<DUMP
{"$id": [{"path": "$out", "type": "output"}]}
DUMP

echo "PandaID $id: done, exit code $code"
exit "$code"
