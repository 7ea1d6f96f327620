#!/usr/bin/env bash
# Soak: repeats every fault scenario (TaskManager kill -9, broker bounce, PostgreSQL cut,
# stop-with-savepoint + rescale, a frozen zombie TaskManager, kill -9 of the job command) with new
# random seeds until the time is up, and prints one PASS/FAIL line per fault with its money check.
# Not part of `mvn verify`.
#
#   fault-tests/soak.sh [minutes]      (default 30)
set -uo pipefail
cd "$(dirname "$0")/.."

minutes="${1:-30}"
if ! [[ "$minutes" =~ ^[0-9]+$ ]]; then
  echo "usage: fault-tests/soak.sh [minutes]" >&2
  exit 2
fi
end=$(( $(date +%s) + minutes * 60 ))
reports=fault-tests/target/failsafe-reports
mkdir -p fault-tests/target/soak
round=0 passed=0 failed=0

echo "soak: fault scenarios on a real Flink cluster for ${minutes} min (each round takes about 5 min)"
while (( $(date +%s) < end )); do
  round=$((round + 1))
  log="fault-tests/target/soak/round-${round}.log"
  mvn -B verify -pl fault-tests -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
      -Dit.test=FaultScenariosIT -Dfailsafe.failIfNoSpecifiedTests=false >"$log" 2>&1
  cp "$reports"/*FaultScenariosIT* fault-tests/target/soak/ 2>/dev/null
  summary="$(python3 - "$reports" <<'PY'
import re, sys, xml.etree.ElementTree as ET
from pathlib import Path
d = Path(sys.argv[1])
out = (d / "dev.billing.faults.FaultScenariosIT-output.txt")
text = out.read_text() if out.exists() else ""
seeds = dict(re.findall(r"^(\w+): seed=(\d+)", text, re.M))
faults = dict(re.findall(r"^(\w+): (fault after \d+ of \d+ records)", text, re.M))
xml = d / "TEST-dev.billing.faults.FaultScenariosIT.xml"
if not xml.exists():
    print("FAIL build: no test report, see the round's log")
    sys.exit()
for case in ET.parse(xml).getroot().iter("testcase"):
    name = case.get("name").split("(")[0]
    problem = case.find("failure") if case.find("failure") is not None else case.find("error")
    verdict = "PASS" if problem is None else "FAIL"
    money = "money, statuses and alerts match the model" if problem is None else (problem.get("message") or "")[:300]
    print(f"{verdict} {name} seed={seeds.get(name, '?')} {faults.get(name, '')} {float(case.get('time')):.0f}s: {money}")
PY
)"
  echo "$summary" | sed "s/^/round ${round}: /"
  passed=$((passed + $(grep -c '^PASS' <<<"$summary")))
  failed=$((failed + $(grep -c '^FAIL' <<<"$summary")))
done
echo "soak: ${round} rounds, ${passed} passed, ${failed} failed (logs in fault-tests/target/soak/)"
(( failed == 0 ))
