# Shared by bin/roster and bin/test: find a JDK >= 21 and build Roster when needed.
# Sourced, not executed.

ROSTER_HOME="${ROSTER_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

java_major() {
  # Prints the feature version of the java binary given ($1), or nothing.
  "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); if (v[1] == "1") print v[2]; else print v[1]; exit }'
}

find_jdk() {
  # Sets JAVA_HOME to a JDK >= 21: JAVA_HOME, then java on PATH, then /usr/lib/jvm/*.
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    c=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    candidates+=("$c")
  fi
  for c in /usr/lib/jvm/*; do [ -d "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    major=$(java_major "$c/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$c"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "roster: no JDK 21 or newer found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm/*). Install one, e.g. 'apt-get install openjdk-21-jdk-headless', or set JAVA_HOME." >&2
  return 1
}

find_mvn() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "roster: Maven (mvn) is needed to build Roster; install it, e.g. 'apt-get install maven'." >&2
    return 1
  fi
}

needs_build() {
  # True when the CLI's jar is missing or a source or pom of a module it is built from is newer.
  local jar="$ROSTER_HOME/roster-cli/target/roster-cli.jar" m
  [ -f "$jar" ] || return 0
  [ -d "$ROSTER_HOME/roster-cli/target/lib" ] || return 0
  [ "$ROSTER_HOME/pom.xml" -nt "$jar" ] && return 0
  for m in roster-api roster-gossip roster-state roster-server roster-agent roster-tools roster-cli; do
    [ -n "$(find "$ROSTER_HOME/$m/pom.xml" "$ROSTER_HOME/$m/src/main" -newer "$jar" -print -quit 2>/dev/null)" ] && return 0
  done
  return 1
}

build_cli() {
  echo "roster: building (first use or sources changed; about a minute)..." >&2
  local log
  log=$(mktemp)
  if ! (cd "$ROSTER_HOME" && mvn -B -q -DskipTests -Dmaven.javadoc.skip=true install -pl roster-cli -am) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "roster: build failed (output above)." >&2
    return 1
  fi
  rm -f "$log"
  touch "$ROSTER_HOME/roster-cli/target/roster-cli.jar"
}
