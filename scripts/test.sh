#!/usr/bin/env bash
# The README's test command: installs the clients the compatibility tests drive and PostgreSQL (when missing), builds the
# solution in Release (warnings are errors) and runs every test project. The last line of output is
# "N passed, N failed" (", N skipped" when some were skipped), computed from the TRX files; the exit code is
# non-zero if anything failed or did not build.
#
# Environment: CONFIGURATION (default Release), TEST_FILTER (passed to dotnet test --filter),
#              TEST_RESULTS (default artifacts/test-results).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
config="${CONFIGURATION:-Release}"
results="${TEST_RESULTS:-$root/artifacts/test-results}"
js_dir="tests/ActorBroker.Compatibility.Tests/js"

log() { printf '== %s\n' "$*" >&2; }

# --- 1. External clients -------------------------------------------------------------------------------
missing=()
/usr/bin/python3 -c 'import kafka' >/dev/null 2>&1 || missing+=(python3-kafka)
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
# PostgreSQL server binaries: the cluster-mode tests start private servers (tests/ActorBroker.TestKit/PostgresServer.cs).
compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || missing+=(postgresql)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    # Refresh the package lists only if one of the packages is unknown to them.
    for pkg in "${missing[@]}"; do
      if ! apt-cache show "$pkg" >/dev/null 2>&1; then
        log "apt-get update (no candidate for $pkg)"
        apt-get update -qq
        break
      fi
    done
    log "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    log "WARNING: missing ${missing[*]} and not root (or no apt-get); the compatibility tests that need them will fail"
  fi
fi

if command -v npm >/dev/null 2>&1; then
  log "npm ci in $js_dir"
  (cd "$js_dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

# --- 2. Build ----------------------------------------------------------------------------------------------
log "dotnet build ActorBroker.sln -c $config"
if ! dotnet build ActorBroker.sln -c "$config" -nologo -clp:ErrorsOnly >&2; then
  echo "build failed"
  exit 1
fi

# --- 3. Test, one project at a time (nodes started by the compatibility tests get the machine to themselves) ---
rm -rf "$results"
mkdir -p "$results"
filter_args=()
[[ -n "${TEST_FILTER:-}" ]] && filter_args=(--filter "$TEST_FILTER")

crashed=0
for proj in tests/*/*.csproj; do
  grep -q '<IsTestProject>true</IsTestProject>' "$proj" || continue
  name="$(basename "$proj" .csproj)"
  log "dotnet test $name"
  set +e
  dotnet test "$proj" -c "$config" --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" --blame-hang-timeout 10m "${filter_args[@]}" >&2
  rc=$?
  set -e
  if [[ $rc -ne 0 ]]; then
    # A failed test also gives rc 1; a crash or hang leaves a TRX without failures (or none at all).
    trx="$results/$name.trx"
    if [[ ! -f "$trx" ]] || { grep -Eq '<Counters[^>]* failed="0"' "$trx" && grep -Eq '<Counters[^>]* error="0"' "$trx"; }; then
      log "$name: dotnet test exited $rc without a recorded failure (crash, hang or no tests run); counted as 1 failed"
      crashed=$((crashed + 1))
    fi
  fi
done

# --- 4. Aggregate ------------------------------------------------------------------------------------------
counter() { # counter FILE NAME -> value of NAME="…" in the Counters element
  sed -n 's/.*<Counters[^>]* '"$2"'="\([0-9]*\)".*/\1/p' "$1" | head -n1
}
passed=0; failed=$crashed; skipped=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  p=$(counter "$trx" passed); f=$(counter "$trx" failed); e=$(counter "$trx" error)
  t=$(counter "$trx" timeout); a=$(counter "$trx" aborted); n=$(counter "$trx" notExecuted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  skipped=$((skipped + ${n:-0}))
done

# The failed tests' names and first message lines, so that the tail of a long log says what failed.
if ((failed > 0)) && command -v python3 >/dev/null 2>&1; then
  python3 - "$results"/*.trx <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for path in sys.argv[1:]:
    for r in ET.parse(path).getroot().iterfind(".//t:UnitTestResult", ns):
        if r.get("outcome") in ("Passed", "NotExecuted"):
            continue
        message = r.findtext("t:Output/t:ErrorInfo/t:Message", "", ns).strip().splitlines()
        print(f"FAILED {r.get('testName')} ({r.get('duration')}): {' / '.join(message[:3])[:600]}")
PY
fi

summary="$passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"
echo "$summary"
((failed == 0))
