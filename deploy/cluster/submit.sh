#!/usr/bin/env bash
# Submits TraceStitch's streaming job (`run --config <file>`) to a running Flink 1.20 session
# cluster through its REST API: uploads the cluster jar, runs it, prints the job id.
# Needs curl and python3. See deploy/README.md, "Session cluster".
set -euo pipefail

readonly ENTRY_CLASS=io.tracestitch.jobs.TraceStitch
readonly PROGRAM=${0##*/}

usage() {
    cat <<EOF
Usage: $PROGRAM --config <path> [--rest <url>] [--jar <file>] [--savepoint <path>] [--parallelism <n>]

Uploads the TraceStitch cluster jar to a Flink session cluster and starts
  run --config <path>
there. Prints the job id on success; on failure, one line on stderr and exit code 1.

  --config <path>      the run configuration (YAML or properties). main() runs inside the
                       JobManager, so this path must be readable by the JobManager process.
  --rest <url>         the JobManager's REST endpoint (default: http://localhost:8081)
  --jar <file>         the jar to upload (default: target/tracestitch-cluster.jar of this checkout)
  --savepoint <path>   start from this savepoint or retained checkpoint (s3://…, hdfs://…,
                       file:///…); the job refuses state that no operator of it takes
                       (allowNonRestoredState=false)
  --parallelism <n>    the job's default parallelism (the run configuration's own
                       parallelism key, if set, wins)
  -h, --help           this text
EOF
}

fail() {
    echo "$PROGRAM: $*" >&2
    exit 1
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rest=http://localhost:8081
jar=$root/target/tracestitch-cluster.jar
config=
savepoint=
parallelism=

while [[ $# -gt 0 ]]; do
    case $1 in
        -h | --help) usage; exit 0 ;;
        --rest | --config | --jar | --savepoint | --parallelism)
            [[ $# -ge 2 && -n $2 ]] || fail "$1 needs a value (see --help)"
            case $1 in
                --rest) rest=${2%/} ;;
                --config) config=$2 ;;
                --jar) jar=$2 ;;
                --savepoint) savepoint=$2 ;;
                --parallelism) parallelism=$2 ;;
            esac
            shift 2 ;;
        *) fail "unknown argument '$1' (see --help)" ;;
    esac
done

[[ -n $config ]] || fail "--config is required (see --help)"
[[ -z $parallelism || $parallelism =~ ^[1-9][0-9]{0,4}$ ]] || fail "--parallelism must be a whole number from 1, not '$parallelism'"
[[ -f $jar ]] || fail "no jar at $jar (build it with: mvn -B package -DskipTests)"
command -v curl >/dev/null || fail "needs curl"
command -v python3 >/dev/null || fail "needs python3"

body=$(mktemp)
trap 'rm -f "$body" "$body.err"' EXIT

# call <what> <curl arguments...>: the response body into $body; on a transport error or an HTTP
# status other than 2xx, one line naming the call and Flink's own reason, and exit 1.
call() {
    local what=$1 status
    shift
    if ! status=$(curl --silent --show-error --output "$body" --write-out '%{http_code}' "$@" 2>"$body.err"); then
        fail "$what: $(sed -n 's/^curl: ([0-9]*) //p' "$body.err" | head -n 1)"
    fi
    if [[ ! $status =~ ^2 ]]; then
        fail "$what: HTTP $status: $(reason <"$body")"
    fi
}

# Flink answers an error with {"errors": [...]}, often a whole stack trace: the deepest
# "Caused by:" line names the real reason (say, a refused run configuration).
reason() {
    python3 -c '
import json, sys
text = sys.stdin.read()
try:
    errors = json.loads(text).get("errors") or [text]
except (ValueError, AttributeError):
    errors = [text]
lines = [l.strip() for e in errors for l in str(e).splitlines() if l.strip()]
causes = [l[len("Caused by: "):] for l in lines if l.startswith("Caused by: ")]
print((causes[-1] if causes else " ".join(lines[:2]) or "(no answer)")[:500])
'
}

# field <name>: a top-level string of the JSON answer in $body, or empty.
field() {
    python3 -c '
import json, sys
try:
    value = json.load(open(sys.argv[1])).get(sys.argv[2])
except (OSError, ValueError, AttributeError):
    value = None
print(value if isinstance(value, str) else "")
' "$body" "$1"
}

call "upload of $jar to $rest" -X POST -H 'Expect:' -F "jarfile=@$jar;type=application/x-java-archive" "$rest/jars/upload"
uploaded=$(field filename)
jar_id=${uploaded##*/}
[[ -n $jar_id ]] || fail "upload of $jar to $rest: no jar id in the answer: $(head -c 300 "$body")"

request=$(python3 -c '
import json, sys
config, savepoint, parallelism = sys.argv[1:4]
request = {"entryClass": sys.argv[4], "programArgsList": ["run", "--config", config]}
if savepoint:
    request["savepointPath"] = savepoint
    request["allowNonRestoredState"] = False
if parallelism:
    request["parallelism"] = int(parallelism)
print(json.dumps(request))
' "$config" "$savepoint" "$parallelism" "$ENTRY_CLASS")

# The job takes its own copy of the jar when it is submitted: drop the upload either way, as
# every submission would otherwise leave one more jar in the JobManager's upload directory.
trap 'curl --silent --output /dev/null -X DELETE "$rest/jars/$jar_id" || true; rm -f "$body" "$body.err"' EXIT
call "run of $jar_id on $rest" -X POST -H 'Content-Type: application/json' --data "$request" "$rest/jars/$jar_id/run"
job_id=$(field jobid)
[[ -n $job_id ]] || fail "run of $jar_id on $rest: no job id in the answer: $(head -c 300 "$body")"
echo "$job_id"
