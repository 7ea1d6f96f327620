#!/usr/bin/env bash
# Static checks of docker/, runnable without a Docker engine:
#  - every JSON file parses (python3 -m json.tool), every YAML file parses (PyYAML, when importable);
#  - the Flink image tag matches <flink.version> in the root pom.xml (and the image's Java is at
#    least <maven.compiler.release>); the job jar that compose.yaml submits, and that the
#    Kubernetes image bakes in, is the one jobs/pom.xml builds (artifactId, version, classifier);
#  - with PyYAML: the options passed to the job exist in JobOptions.java, the topics kafka-init
#    creates are the job's defaults, every long-running service has a health check, the job
#    submitter waits for kafka-init, postgres and the jobmanager, FLINK_PROPERTIES uses the Flink
#    2.x keys, Prometheus scrapes every Flink process, the dashboard's data sources are provisioned,
#    every published port names a host address, the loopback one unless BIND_ADDRESS is set;
#  - `docker compose config` when Compose is installed (a Docker engine is not needed).
# Exits non-zero, naming each problem, when anything is off.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok:   $*"; }
note() { echo "note: $*"; }

if ! command -v python3 >/dev/null 2>&1; then
    echo "FAIL: python3 is needed to run these checks" >&2
    exit 2
fi

# 1. JSON
while IFS= read -r -d '' f; do
    if err="$(python3 -m json.tool "$f" 2>&1 >/dev/null)"; then
        ok "JSON parses: ${f#"$root"/}"
    else
        fail "JSON does not parse: ${f#"$root"/}: $err"
    fi
done < <(find "$here" -name '*.json' -print0 | sort -z)

# 2. YAML, versions, jar name and cross-file consistency
if python3 -c 'import yaml' 2>/dev/null; then
    have_yaml=1
else
    have_yaml=0
    note "PyYAML is not importable: YAML files are not parsed and the structural checks are skipped" \
        "(pip install pyyaml, or apt-get install python3-yaml)"
fi

python3 - "$root" "$have_yaml" <<'PY' || failures=$((failures + $?))
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

root, have_yaml = sys.argv[1], sys.argv[2] == "1"
docker = os.path.join(root, "docker")
problems = []


def fail(msg):
    problems.append(msg)
    print("FAIL: " + msg)


def ok(msg):
    print("ok:   " + msg)


def rel(path):
    return os.path.relpath(path, root)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# --- what the build produces ---------------------------------------------------------------
NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def pom(path):
    return ET.parse(path).getroot()


def text(elem, path):
    found = elem.find(path, NS)
    return found.text.strip() if found is not None and found.text else None


parent = pom(os.path.join(root, "pom.xml"))
flink_version = text(parent, "m:properties/m:flink.version")
java_release = text(parent, "m:properties/m:maven.compiler.release")
jobs = pom(os.path.join(root, "jobs", "pom.xml"))
artifact = text(jobs, "m:artifactId")
version = text(jobs, "m:version") or text(jobs, "m:parent/m:version")
classifier = None
for conf in jobs.iter("{%s}shadedClassifierName" % NS["m"]):
    classifier = conf.text.strip()
if not (flink_version and artifact and version and classifier):
    fail("could not read <flink.version> from pom.xml, "
         "or artifactId, version and shadedClassifierName from jobs/pom.xml")
    sys.exit(min(len(problems), 100))
jar = f"{artifact}-{version}-{classifier}.jar"
print(f"info: <flink.version> {flink_version}, Java release {java_release}, job jar {jar}")

compose_path = os.path.join(docker, "compose.yaml")
compose_text = read(compose_path)
k8s_path = os.path.join(docker, "k8s", "flink-deployment.yaml")
k8s_text = read(k8s_path)
dockerfile_path = os.path.join(docker, "k8s", "Dockerfile")
dockerfile_text = read(dockerfile_path)


# --- Flink image tags ------------------------------------------------------------------------
FLINK_IMAGE = re.compile(r"(?<![\w/.-])flink:(\d[\w.-]*)")


def check_flink_tags(path, content):
    tags = sorted(set(FLINK_IMAGE.findall(content)))
    if not tags:
        fail(f"{rel(path)}: no flink:<version> image found")
        return
    for tag in tags:
        if tag != flink_version and not tag.startswith(flink_version + "-"):
            fail(f"{rel(path)}: image flink:{tag} does not match <flink.version> {flink_version} in pom.xml")
            continue
        java = re.search(r"-java(\d+)", tag)
        if java and java_release and int(java.group(1)) < int(java_release):
            fail(f"{rel(path)}: image flink:{tag} runs Java {java.group(1)}, the job needs {java_release}")
            continue
        ok(f"{rel(path)}: image flink:{tag} matches <flink.version> {flink_version}")


check_flink_tags(compose_path, compose_text)
check_flink_tags(dockerfile_path, dockerfile_text)

# --- the job jar -----------------------------------------------------------------------------
JAR = re.compile(r"[\w.-]+\.jar\b")


def check_jars(path, content, required):
    names = set(JAR.findall(content))
    wrong = sorted(n for n in names if n != jar)
    for n in wrong:
        fail(f"{rel(path)}: names {n}, but jobs/pom.xml builds {jar}")
    for needle in required:
        if needle not in content:
            fail(f"{rel(path)}: does not contain {needle}")
    if not wrong and all(n in content for n in required):
        ok(f"{rel(path)}: job jar is {jar}")


check_jars(compose_path, compose_text, [f"/jobs/{jar}"])
check_jars(k8s_path, k8s_text, [f"jarURI: local:///opt/flink/usrlib/{jar}"])
check_jars(dockerfile_path, dockerfile_text, [f"jobs/target/{jar}", f"/opt/flink/usrlib/{jar}"])

mount = re.search(r"^\s*-\s*(\S+):/jobs(?::ro)?\s*$", compose_text, re.M)
if not mount:
    fail("docker/compose.yaml: no bind mount of the jar directory to /jobs")
elif os.path.normpath(os.path.join(docker, mount.group(1))) != os.path.join(root, "jobs", "target"):
    fail(f"docker/compose.yaml: /jobs is mounted from {mount.group(1)}, which is not jobs/target")
else:
    ok(f"docker/compose.yaml: /jobs is mounted from {mount.group(1)} (jobs/target, where Maven puts the jar)")

# --- the job's options and default topics, from JobOptions.java ------------------------------
options_src = read(os.path.join(root, "jobs/src/main/java/dev/billing/job/JobOptions.java"))
known_options = set()
defaults = {}
for m in re.finditer(r'@Option\(names\s*=\s*"(--[\w-]+)"(?:\s*,\s*negatable\s*=\s*true)?'
                     r'(?:\s*,\s*defaultValue\s*=\s*"([^"]*)")?', options_src):
    name = m.group(1)
    known_options.add(name)
    if name.startswith("--no-"):
        known_options.add("--" + name[len("--no-"):])
    defaults[name] = m.group(2)
known_options.update({"--help", "-h", "--version", "-V"})


def check_job_args(where, args):
    used = [a for a in args if a.startswith("--")]
    unknown = [a for a in used if a not in known_options]
    if unknown:
        fail(f"{where}: job options {', '.join(unknown)} are not in JobOptions.java")
    else:
        ok(f"{where}: job options {' '.join(used)} exist in JobOptions.java")


def flink_run(script_text):
    """(flink options, job arguments) of the submitter's `flink run <options> <jar> <arguments>`."""
    joined = re.sub(r"\\\n\s*", " ", script_text)
    m = re.search(r"flink run (.*?)(?:\"?\$\$jar\"?|/jobs/\S+\.jar)([^\n]*)", joined)
    return (m.group(1).split(), m.group(2).split()) if m else None


if not have_yaml:
    # Without a YAML parser, at least the submitter's options can be found in the text.
    run = flink_run(compose_text)
    if run:
        check_job_args("docker/compose.yaml job-submitter", run[1])
    else:
        fail("docker/compose.yaml: no `flink run ... <jar> ...` in the job submitter")
    sys.exit(min(len(problems), 100))

# --- everything below needs PyYAML -----------------------------------------------------------
import yaml  # noqa: E402

docs = {}
unparsed = 0
for dirpath, _, files in os.walk(docker):
    for name in sorted(files):
        if name.endswith((".yaml", ".yml")):
            path = os.path.join(dirpath, name)
            try:
                docs[path] = list(yaml.safe_load_all(read(path)))
                ok(f"YAML parses: {rel(path)}")
            except yaml.YAMLError as e:
                fail(f"YAML does not parse: {rel(path)}: {e}")
                unparsed += 1
if unparsed:
    sys.exit(min(len(problems), 100))

compose = docs[compose_path][0]
services = compose.get("services", {})
named_volumes = set((compose.get("volumes") or {}).keys())


def env_of(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(e.split("=", 1) if "=" in e else (e, "") for e in env)
    return env


def depends(service):
    d = service.get("depends_on") or {}
    if isinstance(d, list):
        return {k: "service_started" for k in d}
    return {k: (v or {}).get("condition") for k, v in d.items()}


# Services
REQUIRED_SERVICES = ("kafka", "kafka-init", "postgres", "jobmanager", "job-submitter", "prometheus", "grafana")
for required in REQUIRED_SERVICES:
    if required not in services:
        fail(f"docker/compose.yaml: no service {required}")
taskmanagers = sorted(n for n, s in services.items() if s.get("command") == "taskmanager")
if len(taskmanagers) != 2:
    fail(f"docker/compose.yaml: expected two TaskManagers, found {taskmanagers}")
if any(name not in services for name in REQUIRED_SERVICES) or not taskmanagers:
    sys.exit(min(len(problems), 100))

images = {n: s.get("image", "") for n, s in services.items()}
for name, prefix in (("kafka", "apache/kafka:"), ("kafka-init", "apache/kafka:"), ("postgres", "postgres:16"),
                     ("prometheus", "prom/prometheus"), ("grafana", "grafana/grafana")):
    if not images[name].startswith(prefix):
        fail(f"docker/compose.yaml: {name} uses image {images[name]}, expected {prefix}...")

# Health checks: long-running services (with a restart policy) have one; one-shots are gated by
# their exit status instead.
completed = {dep for s in services.values() for dep, cond in depends(s).items()
             if cond == "service_completed_successfully"}
for name, s in services.items():
    restart = s.get("restart", "no")
    if restart in ("no", None):
        if name not in completed and name != "job-submitter":
            fail(f"docker/compose.yaml: {name} has no restart policy but nothing waits for it to complete")
        continue
    test = (s.get("healthcheck") or {}).get("test")
    if not test or (s.get("healthcheck") or {}).get("disable"):
        fail(f"docker/compose.yaml: long-running service {name} has no health check")
    else:
        ok(f"docker/compose.yaml: {name} has a health check")
for name, s in services.items():
    for dep, cond in depends(s).items():
        if dep not in services:
            fail(f"docker/compose.yaml: {name} depends on unknown service {dep}")
        elif cond == "service_healthy" and not (services[dep].get("healthcheck") or {}).get("test"):
            fail(f"docker/compose.yaml: {name} waits for {dep} to be healthy, but {dep} has no health check")

# Published ports: each names the host address it listens on, by default the loopback one, so
# PLAINTEXT Kafka, PostgreSQL's default password and Flink's REST API stay off other machines.
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def defaulted(value):
    """The value as Compose interpolates it with no variables set."""
    return INTERPOLATION.sub(lambda m: m.group(2) or "", str(value))


LOOPBACK = ("127.0.0.1", "::1", "[::1]", "localhost")
published = 0
for name, s in services.items():
    for port in s.get("ports") or []:
        published += 1
        if isinstance(port, dict):
            host = port.get("host_ip")
            shown = port
        else:
            # HOST:HOST_PORT:CONTAINER_PORT; a variable's ':-' default must not count as a separator
            shown = port
            parts = defaulted(port).rsplit(":", 2)
            host = parts[0] if len(parts) == 3 else None
        if not host:
            fail(f"docker/compose.yaml: {name} publishes {shown!r} on every interface: give it a host address"
                 f" (\"${{BIND_ADDRESS:-127.0.0.1}}:...\")")
        elif defaulted(host) not in LOOPBACK:
            fail(f"docker/compose.yaml: {name} publishes {shown!r} on {defaulted(host)} by default, not on the loopback")
        else:
            ok(f"docker/compose.yaml: {name} publishes {shown!r} on {defaulted(host)} by default")
if not published:
    fail("docker/compose.yaml: publishes no port at all")

# The submitter runs after kafka-init, postgres and the jobmanager.
submitter = services["job-submitter"]
wanted = {"kafka-init": "service_completed_successfully", "postgres": "service_healthy",
          "jobmanager": "service_healthy"}
got = depends(submitter)
for dep, cond in wanted.items():
    if got.get(dep) != cond:
        fail(f"docker/compose.yaml: job-submitter must depend on {dep} with condition {cond}, "
             f"not {got.get(dep)}")
if all(got.get(d) == c for d, c in wanted.items()):
    ok("docker/compose.yaml: job-submitter waits for kafka-init, postgres and jobmanager")
if "BILLING_JDBC_PASSWORD" not in env_of(submitter):
    fail("docker/compose.yaml: job-submitter does not pass BILLING_JDBC_PASSWORD to the job")
script = submitter["command"][-1] if isinstance(submitter.get("command"), list) else str(submitter.get("command"))
run = flink_run(script)
flink_opts = run[0] if run else []
master = flink_opts[flink_opts.index("-m") + 1] if "-m" in flink_opts[:-1] else None
if not run or "-d" not in flink_opts or master != "jobmanager:8081":
    fail("docker/compose.yaml: job-submitter does not `flink run -d -m jobmanager:8081 <jar>`")
    job_args = []
else:
    job_args = run[1]
    check_job_args("docker/compose.yaml job-submitter", job_args)
if f"jar=/jobs/{jar}" not in script:
    fail(f"docker/compose.yaml: job-submitter does not run /jobs/{jar}")


def arg(args, name):
    return args[args.index(name) + 1] if name in args and args.index(name) + 1 < len(args) else None


# Flink configuration
LEGACY_KEYS = {"state.backend", "state.checkpoints.dir", "state.savepoints.dir", "restart-strategy",
               "metrics.reporter.prom.class"}
REQUIRED = {
    "jobmanager.rpc.address": "jobmanager",
    "taskmanager.numberOfTaskSlots": "2",
    "state.backend.type": "rocksdb",
    "execution.checkpointing.dir": "file:///checkpoints",
    "execution.checkpointing.savepoint-dir": "file:///savepoints",
    "metrics.reporter.prom.factory.class": "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
    "metrics.reporter.prom.port": "9249",
}


def flink_properties(text_):
    props = {}
    for line in str(text_).splitlines():
        if line.strip():
            key, _, value = line.partition(":")
            props[key.strip()] = value.strip()
    return props


for name in ["jobmanager"] + taskmanagers:
    s = services[name]
    props = flink_properties(env_of(s).get("FLINK_PROPERTIES", ""))
    bad = [f"{k}={props.get(k)!r} (want {v})" for k, v in REQUIRED.items() if props.get(k) != v]
    for key in ("execution.checkpointing.interval", "restart-strategy.type"):
        if key not in props:
            bad.append(f"{key} missing")
    bad += [f"{k} is a Flink 1.x key" for k in props if k in LEGACY_KEYS]
    if bad:
        fail(f"docker/compose.yaml: {name} FLINK_PROPERTIES: " + "; ".join(bad))
    else:
        ok(f"docker/compose.yaml: {name} FLINK_PROPERTIES uses the Flink 2.x keys")
    mounts = {str(v).split(":")[1] for v in s.get("volumes", []) if str(v).split(":")[0] in named_volumes}
    if not {"/checkpoints", "/savepoints"} <= mounts:
        fail(f"docker/compose.yaml: {name} does not mount the named checkpoints and savepoints volumes")
if arg(job_args, "--checkpoint-dir") != REQUIRED["execution.checkpointing.dir"]:
    fail(f"docker/compose.yaml: the job's --checkpoint-dir {arg(job_args, '--checkpoint-dir')} differs from "
         f"execution.checkpointing.dir {REQUIRED['execution.checkpointing.dir']}")

# PostgreSQL database, as the job and Grafana see it
database = env_of(services["postgres"]).get("POSTGRES_DB")
jdbc = arg(job_args, "--jdbc-url") or ""
if not jdbc.endswith(f"/{database}"):
    fail(f"docker/compose.yaml: the job's --jdbc-url {jdbc} does not name the database {database}")
else:
    ok(f"docker/compose.yaml: the job writes to database {database}")

# Topics: kafka-init creates the job's default topics, compacting the status and rate-card ones.
init = services["kafka-init"]["command"]
init = init[-1] if isinstance(init, list) else init
created, compacted, append_time = set(), set(), set()
for m in re.finditer(r"for topic in ([^;]+); do(.*?)done", init, re.S):
    names = set(m.group(1).split())
    created |= names
    if "cleanup.policy=compact" in m.group(2):
        compacted |= names
    if "message.timestamp.type=LogAppendTime" in m.group(2):
        append_time |= names
expected_topics = {defaults[o] for o in ("--usage-topic", "--events-topic", "--rates-topic", "--status-topic",
                                         "--alerts-topic", "--payment-requests-topic", "--dlq-topic")}
expected_compacted = {defaults["--status-topic"], defaults["--rates-topic"]}
expected_inputs = {defaults[o] for o in ("--usage-topic", "--events-topic", "--rates-topic")}
partitions = set(re.findall(r"--partitions (\d+)", init))
if created != expected_topics:
    fail(f"docker/compose.yaml: kafka-init creates {sorted(created)}, "
         f"the job's topics are {sorted(expected_topics)}")
elif compacted != expected_compacted:
    fail(f"docker/compose.yaml: kafka-init compacts {sorted(compacted)}, expected {sorted(expected_compacted)}")
elif append_time != expected_inputs:
    fail(f"docker/compose.yaml: kafka-init gives {sorted(append_time)} the broker's append time,"
         f" expected the inputs {sorted(expected_inputs)}")
elif partitions != {defaults["--topic-partitions"]}:
    fail(f"docker/compose.yaml: kafka-init uses partitions {sorted(partitions)}, "
         f"the job's default is {defaults['--topic-partitions']}")
else:
    ok(f"docker/compose.yaml: kafka-init creates the job's {len(created)} topics, {sorted(compacted)} compacted, inputs on append time")

# Prometheus scrapes the reporter on every Flink process.
prom = docs[os.path.join(docker, "prometheus", "prometheus.yml")][0]
targets = {t for job in prom.get("scrape_configs", []) for sc in job.get("static_configs", [])
           for t in sc.get("targets", [])}
missing = [f"{n}:9249" for n in ["jobmanager"] + taskmanagers if f"{n}:9249" not in targets]
if missing:
    fail(f"docker/prometheus/prometheus.yml: does not scrape {', '.join(missing)}")
else:
    ok("docker/prometheus/prometheus.yml: scrapes the jobmanager and both taskmanagers on 9249")
stray = [t for t in targets if t.split(":")[0] not in services and not t.startswith("localhost:")]
if stray:
    fail(f"docker/prometheus/prometheus.yml: targets {stray} are not compose services")

# Grafana: provisioned data sources, dashboard provider path, dashboard data sources.
grafana_mounts = {}
for v in services["grafana"].get("volumes", []):
    src, dst = str(v).split(":")[:2]
    grafana_mounts[dst] = os.path.normpath(os.path.join(docker, src))
for dst in ("/etc/grafana/provisioning/datasources", "/etc/grafana/provisioning/dashboards"):
    if not os.path.isdir(grafana_mounts.get(dst, "")):
        fail(f"docker/compose.yaml: grafana does not mount a directory at {dst}")
datasources = {}
for path, ds_docs in docs.items():
    if path.startswith(os.path.join(docker, "grafana", "provisioning", "datasources")):
        for ds in (ds_docs[0] or {}).get("datasources", []):
            datasources[ds.get("uid")] = ds
for ds in datasources.values():
    if ds.get("type") == "grafana-postgresql-datasource":
        db = (ds.get("jsonData") or {}).get("database")
        if db != database or not str(ds.get("url", "")).startswith("postgres:"):
            fail(f"grafana datasource {ds.get('uid')}: not database {database} on postgres:5432")
    if ds.get("type") == "prometheus" and ds.get("url") != "http://prometheus:9090":
        fail(f"grafana datasource {ds.get('uid')}: url is not http://prometheus:9090")
providers = [p for path, d in docs.items()
             if path.startswith(os.path.join(docker, "grafana", "provisioning", "dashboards"))
             for p in (d[0] or {}).get("providers", [])]
for p in providers:
    path = (p.get("options") or {}).get("path")
    if path not in grafana_mounts or not os.path.isdir(grafana_mounts[path]):
        fail(f"grafana dashboard provider {p.get('name')}: {path} is not a directory mounted into grafana")
dashboard_path = os.path.join(docker, "grafana", "dashboards", "billing.json")
try:
    dashboard = json.loads(read(dashboard_path))
except (OSError, ValueError) as e:
    fail(f"{rel(dashboard_path)}: cannot be read: {e}")
    dashboard = {}
used = set()


def collect(node):
    if isinstance(node, dict):
        ds = node.get("datasource")
        if isinstance(ds, dict) and "uid" in ds:
            used.add(ds["uid"])
        for v in node.values():
            collect(v)
    elif isinstance(node, list):
        for v in node:
            collect(v)


collect(dashboard)
unknown = used - set(datasources)
if dashboard and unknown:
    fail(f"{rel(dashboard_path)}: uses data source uids {sorted(unknown)} that are not provisioned")
elif dashboard:
    ok(f"{rel(dashboard_path)}: {len(dashboard.get('panels', []))} panels, data sources {sorted(used)} are provisioned")
home = env_of(services["grafana"]).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
if home and not any(home.startswith(dst + "/") and os.path.isfile(os.path.join(src, home[len(dst) + 1:]))
                    for dst, src in grafana_mounts.items()):
    fail(f"docker/compose.yaml: grafana's home dashboard {home} is not a mounted file")

# Kubernetes: FlinkDeployment
k8s = [d for d in docs[k8s_path] if d and d.get("kind") == "FlinkDeployment"]
if len(k8s) != 1:
    fail("docker/k8s/flink-deployment.yaml: expected exactly one FlinkDeployment")
else:
    spec = k8s[0].get("spec", {})
    want_version = "v" + "_".join(flink_version.split(".")[:2])
    conf = spec.get("flinkConfiguration", {})
    job = spec.get("job", {})
    bad = []
    if k8s[0].get("apiVersion") != "flink.apache.org/v1beta1":
        bad.append("apiVersion is not flink.apache.org/v1beta1")
    if spec.get("flinkVersion") != want_version:
        bad.append(f"flinkVersion {spec.get('flinkVersion')} is not {want_version}")
    if job.get("upgradeMode") != "savepoint" or job.get("parallelism") != 2:
        bad.append("job needs upgradeMode savepoint and parallelism 2")
    if conf.get("state.backend.type") != "rocksdb":
        bad.append("state.backend.type is not rocksdb")
    for key in ("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir"):
        if not conf.get(key):
            bad.append(f"{key} is not set")
    bad += [f"{k} is a Flink 1.x key" for k in conf if k in LEGACY_KEYS]
    args = [str(a) for a in job.get("args", [])]
    if arg(args, "--checkpoint-dir") != conf.get("execution.checkpointing.dir"):
        bad.append("--checkpoint-dir differs from execution.checkpointing.dir")
    if bad:
        fail("docker/k8s/flink-deployment.yaml: " + "; ".join(bad))
    else:
        ok(f"docker/k8s/flink-deployment.yaml: flinkVersion {want_version}, upgradeMode savepoint, RocksDB")
    check_job_args("docker/k8s/flink-deployment.yaml", args)

sys.exit(min(len(problems), 100))
PY

# 3. `docker compose config`: Compose v2 parses and interpolates the file without a running engine.
# The legacy Python docker-compose 1.x predates the top-level `name:` key, so it checks a copy
# without that line.
compose_file="$here/compose.yaml"
if docker compose version >/dev/null 2>&1; then
    if out="$(docker compose -f "$compose_file" config --quiet 2>&1)"; then
        ok "docker compose config accepts docker/compose.yaml"
    else
        fail "docker compose config rejects docker/compose.yaml: $out"
    fi
elif command -v docker-compose >/dev/null 2>&1; then
    legacy="$(docker-compose version --short 2>/dev/null || true)"
    if [[ "$legacy" =~ ^v?1\. ]]; then
        copy="$(mktemp /tmp/compose-v1.XXXXXX)"
        grep -v '^name:' "$compose_file" >"$copy"
        if out="$(docker-compose -f "$copy" --project-directory "$here" config --quiet 2>&1)"; then
            ok "docker-compose $legacy config accepts docker/compose.yaml (top-level name: aside)"
        else
            fail "docker-compose $legacy config rejects docker/compose.yaml: $out"
        fi
        rm -f "$copy"
    elif out="$(docker-compose -f "$compose_file" config --quiet 2>&1)"; then
        ok "docker-compose $legacy config accepts docker/compose.yaml"
    else
        fail "docker-compose $legacy config rejects docker/compose.yaml: $out"
    fi
else
    note "neither 'docker compose' nor 'docker-compose' is installed: skipped 'docker compose config'"
fi

echo
if [ "$failures" -gt 0 ]; then
    echo "docker/validate.sh: $failures check(s) failed"
    exit 1
fi
echo "docker/validate.sh: all checks passed"
