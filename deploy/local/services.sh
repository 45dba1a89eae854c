#!/usr/bin/env bash
# Local Kafka and Kinesis for trying TraceStitch on one machine, without Docker:
#   - Kafka 3.9.1, single node (KRaft, broker and controller in one JVM), on 127.0.0.1:9092
#   - kinesalite 3.3.3 (an in-memory Kinesis API), on http://127.0.0.1:4567
#
#   deploy/local/services.sh start|stop|status [kafka|kinesalite]
#
# and, to try the job on them (README, "Running on Kafka / Kinesis"):
#   deploy/local/services.sh topic NAME [PARTITIONS] [--compact]   create a Kafka topic
#   deploy/local/services.sh produce TOPIC [FILE]                   one record per line (stdin without FILE)
#   deploy/local/services.sh consume TOPIC [SECONDS]                committed records from the start, as key<TAB>value
#   deploy/local/services.sh stream NAME [SHARDS]                   create a Kinesis stream on kinesalite
#   deploy/local/services.sh put STREAM FILE [--gzip]               the file as one Kinesis record (gzip-compressed
#                                                                   with --gzip, as CloudWatch Logs delivers)
#
# Needs Java 17 and Maven (the broker's jars come from Maven Central through deploy/local/pom.xml)
# and, for kinesalite, Node.js 18+ and npm. Both bind to 127.0.0.1 only. Settings (environment; not
# TRACESTITCH_*, which is run's own configuration and refuses names it does not know):
#   LOCAL_KAFKA_PORT             Kafka's client port (9092)
#   LOCAL_KAFKA_CONTROLLER_PORT  its KRaft controller port (9093)
#   LOCAL_KINESALITE_PORT        kinesalite's port (4567)
#   LOCAL_SERVICES_DIR              jars, node modules, Kafka's data, logs and pid files
#                                      (${XDG_CACHE_HOME:-~/.cache}/tracestitch/local)
# Kafka's topics survive stop and start (delete $LOCAL_SERVICES_DIR/kafka/data while stopped to
# start empty); kinesalite's streams live in memory and are gone after stop.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
host=127.0.0.1
kafka_port="${LOCAL_KAFKA_PORT:-9092}"
controller_port="${LOCAL_KAFKA_CONTROLLER_PORT:-9093}"
kinesalite_port="${LOCAL_KINESALITE_PORT:-4567}"
dir="${LOCAL_SERVICES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tracestitch/local}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

usage() {
    echo "usage: $0 start|stop|status [kafka|kinesalite]" >&2
    echo "       $0 topic NAME [PARTITIONS] [--compact] | produce TOPIC [FILE] | consume TOPIC [SECONDS]" >&2
    echo "       $0 stream NAME [SHARDS] | put STREAM FILE [--gzip]" >&2
    exit 2
}

port_open() {
    (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null
}

# The pid in a pid file, if that process is alive and is the service (not a recycled pid).
running_pid() {
    local pidfile="$dir/$1.pid" marker="$2" pid
    [[ -f "$pidfile" ]] || return 1
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$marker"; then
        echo "$pid"
    else
        rm -f "$pidfile"
        return 1
    fi
}

# Waits until the log has the line that says the service is up; on failure prints the log's end.
await_line() {
    local name="$1" log="$2" line="$3" pid="$4" seconds="$5"
    for ((i = 0; i < seconds * 5; i++)); do
        if grep -q -- "$line" "$log" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "$name exited while starting. Last lines of $log:" >&2
            tail -n 30 "$log" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "$name not up after ${seconds} s; stopping it. Last lines of $log:" >&2
    tail -n 30 "$log" >&2
    kill "$pid" 2>/dev/null || true
    return 1
}

stop_pid() {
    local name="$1" pid="$2"
    kill "$pid" 2>/dev/null || return 0
    # Kafka shuts down cleanly in a few seconds; past 30 s it is killed.
    for ((i = 0; i < 150; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    echo "$name ($pid) did not stop within 30 s; killing it" >&2
    kill -9 "$pid" 2>/dev/null || true
}

# --- Kafka -----------------------------------------------------------------------------------

kafka_jars() {
    local jars="$dir/kafka-jars" stamp
    stamp="$(cksum <"$here/pom.xml")"
    if [[ ! -f "$jars/.resolved" || "$(cat "$jars/.resolved")" != "$stamp" ]]; then
        echo "Resolving the Kafka broker's jars (deploy/local/pom.xml) into $jars ..." >&2
        rm -rf "$jars"
        mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$jars" >&2
        echo "$stamp" >"$jars/.resolved"
    fi
    echo "$jars/*"
}

start_kafka() {
    local pid
    if pid="$(running_pid kafka kafka.Kafka)"; then
        echo "Kafka already running (pid $pid): bootstrap servers $host:$kafka_port"
        return 0
    fi
    for port in "$kafka_port" "$controller_port"; do
        if port_open "$port"; then
            echo "Port $host:$port is already in use; set LOCAL_KAFKA_PORT / LOCAL_KAFKA_CONTROLLER_PORT" >&2
            return 1
        fi
    done
    local classpath properties="$dir/kafka/server.properties" log="$dir/kafka.log"
    classpath="$(kafka_jars)"
    mkdir -p "$dir/kafka"
    sed -e "s|@HOST@|$host|g" -e "s|@PORT@|$kafka_port|g" -e "s|@CONTROLLER_PORT@|$controller_port|g" \
        -e "s|@DATA_DIR@|$dir/kafka/data|g" "$here/kafka-server.properties" >"$properties"
    local logging="-Dlog4j.configuration=file:$here/kafka-log4j.properties"
    [[ -f "$log" ]] && mv "$log" "$log.previous"
    if [[ ! -f "$dir/kafka/data/meta.properties" ]]; then
        local cluster_id
        cluster_id="$("$java" -cp "$classpath" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
        "$java" "$logging" -cp "$classpath" kafka.tools.StorageTool format -t "$cluster_id" -c "$properties" >>"$log" 2>&1 || {
            echo "Formatting Kafka's storage failed:" >&2
            tail -n 30 "$log" >&2
            return 1
        }
    fi
    nohup "$java" -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true "$logging" -cp "$classpath" \
        kafka.Kafka "$properties" >>"$log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$dir/kafka.pid"
    await_line Kafka "$log" "Kafka Server started" "$pid" 90 || { rm -f "$dir/kafka.pid"; return 1; }
    echo "Kafka started (pid $pid, log $log): bootstrap servers $host:$kafka_port"
}

# --- kinesalite ------------------------------------------------------------------------------

kinesalite_modules() {
    local modules="$dir/kinesalite"
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "kinesalite needs Node.js 18+ and npm on the PATH (Debian: apt-get install nodejs npm)" >&2
        return 1
    fi
    if ! cmp -s "$here/kinesalite/package-lock.json" "$modules/installed-package-lock.json"; then
        echo "Installing kinesalite (npm ci) into $modules ..." >&2
        mkdir -p "$modules"
        rm -f "$modules/installed-package-lock.json"
        cp "$here/kinesalite/package.json" "$here/kinesalite/package-lock.json" "$modules/"
        npm ci --prefix "$modules" --ignore-scripts --no-audit --no-fund >&2
        cp "$here/kinesalite/package-lock.json" "$modules/installed-package-lock.json"
    fi
    echo "$modules"
}

start_kinesalite() {
    local pid modules log="$dir/kinesalite.log"
    if pid="$(running_pid kinesalite kinesalite.js)"; then
        echo "kinesalite already running (pid $pid): endpoint http://$host:$kinesalite_port"
        return 0
    fi
    if port_open "$kinesalite_port"; then
        echo "Port $host:$kinesalite_port is already in use; set LOCAL_KINESALITE_PORT" >&2
        return 1
    fi
    modules="$(kinesalite_modules)"
    [[ -f "$log" ]] && mv "$log" "$log.previous"
    nohup node "$here/kinesalite/kinesalite.js" --modules "$modules" --host "$host" --port "$kinesalite_port" \
        >"$log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$dir/kinesalite.pid"
    await_line kinesalite "$log" "kinesalite listening at" "$pid" 30 || { rm -f "$dir/kinesalite.pid"; return 1; }
    echo "kinesalite started (pid $pid, log $log): endpoint http://$host:$kinesalite_port" \
        "(region us-east-1, any access key)"
}

# --- commands --------------------------------------------------------------------------------

stop_service() {
    local name="$1" marker="$2" pid
    if pid="$(running_pid "$name" "$marker")"; then
        stop_pid "$name" "$pid"
        rm -f "$dir/$name.pid"
        echo "$name stopped"
    else
        echo "$name not running"
    fi
}

status_service() {
    local name="$1" marker="$2" address="$3" pid
    if pid="$(running_pid "$name" "$marker")"; then
        echo "$name running (pid $pid): $address"
    else
        echo "$name stopped"
        return 3
    fi
}

# --- trying the job --------------------------------------------------------------------------

kafka_tool() {
    local classpath
    classpath="$(kafka_jars)"
    "$java" -Dlog4j.configuration="file:$here/kafka-tools-log4j.properties" -cp "$classpath" "$@"
}

# A Kinesis API call to kinesalite, its JSON body on standard input (a record's Base64 is too long
# for an argument). kinesalite checks that a request is signed, not the signature.
kinesis_call() {
    curl -sS --fail-with-body -X POST "http://$host:$kinesalite_port/" \
        -H "Content-Type: application/x-amz-json-1.1" -H "X-Amz-Target: Kinesis_20131202.$1" \
        -H "X-Amz-Date: $(date -u +%Y%m%dT%H%M%SZ)" \
        -H "Authorization: AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=local" \
        --data-binary @-
    echo
}

case "${1:-}" in
    topic)
        [[ $# -ge 2 && $# -le 4 ]] || usage
        config=()
        [[ "${3:-}" == --compact || "${4:-}" == --compact ]] && config=(--config cleanup.policy=compact)
        partitions="${3:-1}"
        [[ "$partitions" == --compact ]] && partitions=1
        kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$host:$kafka_port" --create --if-not-exists \
            --topic "$2" --partitions "$partitions" --replication-factor 1 "${config[@]}"
        exit ;;
    produce)
        [[ $# -ge 2 && $# -le 3 ]] || usage
        kafka_tool kafka.tools.ConsoleProducer --bootstrap-server "$host:$kafka_port" --topic "$2" \
            --producer-property max.request.size=4194304 <"${3:-/dev/stdin}"
        exit ;;
    consume)
        [[ $# -ge 2 && $# -le 3 ]] || usage
        # Exits non-zero when no record came for SECONDS: that is how it ends.
        kafka_tool org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$host:$kafka_port" --topic "$2" \
            --from-beginning --isolation-level read_committed --property print.key=true \
            --timeout-ms "$(( ${3:-10} * 1000 ))" || true
        exit ;;
    stream)
        [[ $# -ge 2 && $# -le 3 ]] || usage
        printf '{"StreamName":"%s","ShardCount":%s}' "$2" "${3:-1}" | kinesis_call CreateStream
        exit ;;
    put)
        [[ $# -ge 3 && $# -le 4 ]] || usage
        {
            printf '{"StreamName":"%s","PartitionKey":"%s","Data":"' "$2" "$RANDOM"
            if [[ "${4:-}" == --gzip ]]; then gzip -c "$3"; else cat "$3"; fi | base64 -w0
            printf '"}'
        } | kinesis_call PutRecord
        exit ;;
esac

[[ $# -ge 1 && $# -le 2 ]] || usage
command="$1"
services=(kafka kinesalite)
[[ $# -eq 2 ]] && services=("$2")
for service in "${services[@]}"; do
    [[ "$service" == kafka || "$service" == kinesalite ]] || usage
done
mkdir -p "$dir"

status=0
for service in "${services[@]}"; do
    case "$command:$service" in
        start:kafka) start_kafka || status=1 ;;
        start:kinesalite) start_kinesalite || status=1 ;;
        stop:kafka) stop_service kafka kafka.Kafka ;;
        stop:kinesalite) stop_service kinesalite kinesalite.js ;;
        status:kafka) status_service kafka kafka.Kafka "bootstrap servers $host:$kafka_port" || status=3 ;;
        status:kinesalite) status_service kinesalite kinesalite.js "endpoint http://$host:$kinesalite_port" || status=3 ;;
        *) usage ;;
    esac
done
exit "$status"
